#include "orgs/registration_form_service.h"

#include "auth/authorizer.h"
#include "crypto/crypto.h"

namespace lep::orgs {

using auth::Authorizer;

namespace {
constexpr const char* kNoForm = "登记表不存在";
}  // namespace

Result<Org> RegistrationFormService::Readable(const auth::Principal& p, OrgId id) {
  LEP_ASSIGN_OR_RETURN(auto org, orgs_.Get(id));
  if (!org || !Authorizer::CanSeeRegistrationForm(p, *org)) {
    return Fail(Error::NotFound("单位不存在"));
  }
  return *org;
}

Result<RegistrationForm> RegistrationFormService::Upload(const auth::Principal& p, OrgId id,
                                                         std::string_view bytes,
                                                         std::string_view file_name) {
  LEP_ASSIGN_OR_RETURN(auto org, orgs_.Get(id));
  if (!org || !Authorizer::CanSeeOrg(p, *org)) return Fail(Error::NotFound("单位不存在"));
  LEP_RETURN_IF_ERROR(Authorizer::CheckUploadRegistrationForm(p, *org));
  if (bytes.size() > kMaxRegistrationFormBytes) {
    return Fail(Error{ErrorCode::kPayloadTooLarge,
                      "登记表扫描件不能超过 20 MB，请降低扫描分辨率（200–300 dpi 即可）后重新上传",
                      {{"file", "登记表扫描件", "文件超过 20 MB"}},
                      std::nullopt});
  }
  if (auto e = CheckPdfBytes(bytes)) {
    return Fail(Error::InvalidArgument("登记表扫描件有误：" + *e, {{"file", "登记表扫描件", *e}}));
  }
  LEP_ASSIGN_OR_RETURN(std::string blob, blobs_.PutBytes(bytes));
  RegistrationForm f;
  f.org_id = org->id;
  f.blob = blob;
  f.size = static_cast<int64_t>(bytes.size());
  f.sha256 = crypto::Sha256Hex(bytes);
  f.file_name = CleanFormFileName(file_name);
  f.uploaded_at = clock_.NowMs();
  f.uploaded_by = p.user_id.value;
  security::AuditRecord a;
  a.at = f.uploaded_at;
  a.actor_id = p.user_id.value;
  if (p.org) a.org_id = p.org->id.value;
  a.ip = p.ip;
  a.action = "org.registration_form";
  a.object = "org:" + std::to_string(org->id.value);
  a.detail = f.file_name + "（" + std::to_string(f.size) + " 字节，SHA-256 " +
             f.sha256.substr(0, 16) + "…）";
  auto saved = forms_.Add(f, a);
  // Nothing refers to the file when the row was not written: remove it (a crash in between
  // leaves an unreferenced file, never a row without its file).
  if (!saved) (void)blobs_.Remove(blob);
  return saved;
}

Result<std::vector<RegistrationForm>> RegistrationFormService::History(const auth::Principal& p,
                                                                       OrgId id) {
  LEP_RETURN_IF_ERROR(Readable(p, id));
  return forms_.History(id);
}

Result<std::pair<RegistrationForm, std::string>> RegistrationFormService::File(
    const auth::Principal& p, OrgId id, int64_t form_id) {
  LEP_RETURN_IF_ERROR(Readable(p, id));
  std::optional<RegistrationForm> f;
  if (form_id == 0) {
    LEP_ASSIGN_OR_RETURN(auto all, forms_.History(id));
    if (!all.empty()) f = std::move(all.front());
  } else {
    LEP_ASSIGN_OR_RETURN(f, forms_.Find(id, form_id));
  }
  if (!f) return Fail(Error::NotFound(kNoForm));
  LEP_ASSIGN_OR_RETURN(std::string path, blobs_.PathOf(f->blob));
  return std::make_pair(std::move(*f), std::move(path));
}

Result<std::vector<UnitFormStatus>> RegistrationFormService::Children(const auth::Principal& p,
                                                                      OrgId id) {
  LEP_ASSIGN_OR_RETURN(auto org, orgs_.Get(id));
  if (!org || !Authorizer::CanSeeOrg(p, *org)) return Fail(Error::NotFound("单位不存在"));
  if (!Authorizer::CanSeeChildRegistrationForms(p, *org)) {
    return Fail(Error::PermissionDenied("只有本单位或上级单位的管理员可以查看下级单位的登记表"));
  }
  return forms_.Children(id);
}

}  // namespace lep::orgs

// RegistrationFormService: a unit's stamped 登记表 scan (PDF) — upload, view, history, and the
// parent's overview of which children have uploaded. Who may do what is decided by
// auth::Authorizer; a caller who may not see a unit's form gets kNotFound, like any object
// outside its reach. Files go to the BlobStore; each upload writes an audit row in the
// transaction that records it. Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "auth/user.h"
#include "core/clock.h"
#include "orgs/org_repository.h"
#include "orgs/registration_form_repository.h"
#include "storage/blob/blob_store.h"

namespace lep::orgs {

class RegistrationFormService {
 public:
  RegistrationFormService(OrgRepository& orgs, RegistrationFormRepository& forms,
                          storage::BlobStore& blobs, const Clock& clock)
      : orgs_(orgs), forms_(forms), blobs_(blobs), clock_(clock) {}

  // Stores bytes as the unit's current form after CheckPdfBytes (kInvalidArgument naming the
  // field `file`; more than 20 MB: kPayloadTooLarge). The previous upload stays in History.
  [[nodiscard]] Result<RegistrationForm> Upload(const auth::Principal& p, OrgId org,
                                                std::string_view bytes,
                                                std::string_view file_name);
  // The unit's uploads, newest (current) first; empty when none.
  [[nodiscard]] Result<std::vector<RegistrationForm>> History(const auth::Principal& p, OrgId org);
  // The file of one upload (form_id), or of the current one when form_id is 0, with its local path.
  [[nodiscard]] Result<std::pair<RegistrationForm, std::string>> File(const auth::Principal& p,
                                                                      OrgId org, int64_t form_id);
  // The direct children of org with their current forms: for the admins of org or above.
  [[nodiscard]] Result<std::vector<UnitFormStatus>> Children(const auth::Principal& p, OrgId org);

 private:
  // The unit when p may see its form, else kNotFound.
  [[nodiscard]] Result<Org> Readable(const auth::Principal& p, OrgId org);

  OrgRepository& orgs_;
  RegistrationFormRepository& forms_;
  storage::BlobStore& blobs_;
  const Clock& clock_;
};

}  // namespace lep::orgs

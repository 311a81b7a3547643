#include "review/mailer.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "core/date.h"

namespace lep::review {
namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
  }
  if (i < in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    if (i + 1 < in.size()) v |= uint8_t(in[i + 1]) << 8;
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
    out += i + 1 < in.size() ? kB64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// RFC 2047 encoded words of at most 39 input bytes each (64 characters, so that even after
// "Subject: " a line stays under 78), split on UTF-8 code point boundaries and folded onto
// continuation lines.
std::string EncodeHeader(std::string_view text) {
  bool ascii = true;
  for (unsigned char c : text) ascii &= c >= 0x20 && c < 0x7f;
  if (ascii && text.size() <= 70) return std::string(text);
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = std::min(text.size(), pos + 39);
    while (end < text.size() && end > pos && (uint8_t(text[end]) & 0xC0) == 0x80) --end;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64(text.substr(pos, end - pos)) + "?=";
    pos = end;
  }
  return out;
}

// "Tue, 10 May 2022 08:00:00 +0800" in Beijing time.
std::string MailDate(int64_t ms) {
  static const char* kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int64_t secs = ms / 1000 + 8 * 3600;
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t sod = secs - days * 86400;
  Date d = DateFromUnixMs(ms, 8);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %d %s %04d %02d:%02d:%02d +0800", kDays[((days % 7) + 7) % 7],
                d.day, kMonths[d.month - 1], d.year, static_cast<int>(sod / 3600),
                static_cast<int>(sod / 60 % 60), static_cast<int>(sod % 60));
  return buf;
}

struct ReadState {
  const std::string* data;
  size_t pos = 0;
};

size_t ReadChunk(char* buf, size_t size, size_t n, void* user) {
  auto* st = static_cast<ReadState*>(user);
  size_t left = st->data->size() - st->pos;
  size_t take = std::min(left, size * n);
  std::memcpy(buf, st->data->data() + st->pos, take);
  st->pos += take;
  return take;
}

class CurlSmtpMailer final : public Mailer {
 public:
  CurlSmtpMailer(std::string url, std::string from, int timeout_s)
      : url_(std::move(url)), from_(std::move(from)), timeout_s_(timeout_s) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  const std::string& from() const override { return from_; }

  Status Send(const MailMessage& m) override {
    if (!IsPlainAddress(m.to) || !IsPlainAddress(from_)) {
      return Fail(Error::InvalidArgument("电子邮箱地址无效：" + m.to));
    }
    std::string data = BuildMimeMessage(m);
    CURL* easy = curl_easy_init();
    if (!easy) return Fail(Error::Internal("无法初始化邮件发送"));
    std::string mail_from = "<" + from_ + ">";
    curl_slist* rcpt = curl_slist_append(nullptr, ("<" + m.to + ">").c_str());
    ReadState st{&data};
    curl_easy_setopt(easy, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(easy, CURLOPT_MAIL_FROM, mail_from.c_str());
    curl_easy_setopt(easy, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(easy, CURLOPT_READFUNCTION, ReadChunk);
    curl_easy_setopt(easy, CURLOPT_READDATA, &st);
    curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT, static_cast<long>(timeout_s_));
    curl_easy_setopt(easy, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
    CURLcode rc = curl_easy_perform(easy);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(easy);
    if (rc != CURLE_OK) {
      return Fail(Error::Internal(std::string("邮件发送失败：") + curl_easy_strerror(rc)));
    }
    return Ok();
  }

 private:
  std::string url_, from_;
  int timeout_s_;
};

}  // namespace

bool IsPlainAddress(const std::string& a) {
  if (a.empty() || a.size() > 254) return false;
  size_t at = a.find('@');
  if (at == std::string::npos || at == 0 || at + 1 >= a.size() ||
      a.find('@', at + 1) != std::string::npos) {
    return false;
  }
  for (unsigned char c : a) {
    if (c <= 0x20 || c == '<' || c == '>' || c == 0x7f || c == ',' || c == ';') return false;
  }
  return true;
}

std::string BuildMimeMessage(const MailMessage& m) {
  std::string body64 = Base64(m.body);
  std::string out;
  out += "Date: " + MailDate(m.date_ms) + "\r\n";
  out += "From: " + EncodeHeader("终身教育平台") + " <" + m.from + ">\r\n";
  out += "To: <" + m.to + ">\r\n";
  out += "Subject: " + EncodeHeader(m.subject) + "\r\n";
  if (!m.message_id.empty()) out += "Message-ID: <" + m.message_id + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=UTF-8\r\n";
  out += "Content-Transfer-Encoding: base64\r\n";
  out += "\r\n";
  for (size_t i = 0; i < body64.size(); i += 76) out += body64.substr(i, 76) + "\r\n";
  return out;
}

std::unique_ptr<Mailer> NewCurlSmtpMailer(std::string url, std::string from, int timeout_s) {
  return std::make_unique<CurlSmtpMailer>(std::move(url), std::move(from), timeout_s);
}

}  // namespace lep::review

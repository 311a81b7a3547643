// Mailer: sends one e-mail. CurlSmtpMailer speaks SMTP through libcurl (smtp://, smtps://,
// or smtp:// with STARTTLS required when the URL asks for it); libcurl stays inside
// mailer.cpp. BuildMimeMessage is the pure part (UTF-8 headers per RFC 2047, base64 body).
// Implementations are thread-safe.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"

namespace lep::review {

struct MailMessage {
  std::string from;  // bare address: noreply@example.org
  std::string to;
  std::string subject;  // UTF-8
  std::string body;     // UTF-8 plain text
  int64_t date_ms = 0;
  std::string message_id;  // without <>, e.g. "n42.lep@example.org"
};

// The RFC 5322 message with CRLF line ends, ready for SMTP DATA.
std::string BuildMimeMessage(const MailMessage& m);
// A syntactically plausible single address (no spaces, CR/LF, <>, exactly one '@').
bool IsPlainAddress(const std::string& a);

class Mailer {
 public:
  virtual ~Mailer() = default;
  [[nodiscard]] virtual Status Send(const MailMessage& m) = 0;
  virtual const std::string& from() const = 0;
};

// url like "smtp://mail.example.org:25" or "smtps://…:465"; from the envelope sender.
std::unique_ptr<Mailer> NewCurlSmtpMailer(std::string url, std::string from, int timeout_s = 30);

}  // namespace lep::review

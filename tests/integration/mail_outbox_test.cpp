// E-mail copies of notifications: a loopback SMTP server started by the test (127.0.0.1,
// port 0) receives what NotificationService::DeliverMail sends through the libcurl mailer —
// to each unit's contact person, once per reminder, with retries after a refusal.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "core/date.h"
#include "integration/server_fixture.h"
#include "review/mailer.h"
#include "review/notifications.h"

namespace lep::testing {
namespace {

// Just enough SMTP for libcurl: EHLO/HELO, MAIL, RCPT (refused while refuse_rcpt is set),
// DATA, QUIT. One connection at a time.
class FakeSmtpServer {
 public:
  struct Mail {
    std::string from, to, data;
  };

  FakeSmtpServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 8) != 0) {
      throw std::runtime_error("bind");
    }
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Loop(); });
  }
  ~FakeSmtpServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  uint16_t port() const { return port_; }
  std::vector<Mail> mails() {
    std::lock_guard lock(mu_);
    return mails_;
  }
  std::atomic<bool> refuse_rcpt{false};

 private:
  void Loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int c = ::accept(fd_, nullptr, nullptr);
      if (c >= 0) Serve(c);
    }
  }
  static void Send(int c, const std::string& s) { (void)!::write(c, s.data(), s.size()); }
  // Reads one line (without CRLF); false when the peer is gone.
  bool Line(int c, std::string& buf, std::string& line) {
    while (true) {
      size_t eol = buf.find("\r\n");
      if (eol != std::string::npos) {
        line = buf.substr(0, eol);
        buf.erase(0, eol + 2);
        return true;
      }
      char tmp[4096];
      pollfd p{c, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) return false;
      ssize_t n = ::read(c, tmp, sizeof tmp);
      if (n <= 0) return false;
      buf.append(tmp, static_cast<size_t>(n));
    }
  }
  void Serve(int c) {
    std::string buf, line;
    Mail m;
    Send(c, "220 fake.smtp.test ESMTP\r\n");
    while (Line(c, buf, line)) {
      std::string verb = line.substr(0, 4);
      for (char& ch : verb) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      if (verb == "EHLO" || verb == "HELO") {
        Send(c, "250 fake.smtp.test\r\n");
      } else if (verb == "MAIL") {
        m.from = line;
        Send(c, "250 OK\r\n");
      } else if (verb == "RCPT") {
        m.to = line;
        Send(c, refuse_rcpt ? "550 mailbox unavailable\r\n" : "250 OK\r\n");
      } else if (verb == "DATA") {
        Send(c, "354 go ahead\r\n");
        std::string data;
        while (Line(c, buf, line) && line != ".") data += line + "\r\n";
        m.data = data;
        {
          std::lock_guard lock(mu_);
          mails_.push_back(m);
        }
        Send(c, "250 queued\r\n");
      } else if (verb == "QUIT") {
        Send(c, "221 bye\r\n");
        break;
      } else if (verb == "RSET" || verb == "NOOP") {
        Send(c, "250 OK\r\n");
      } else {
        Send(c, "502 not implemented\r\n");
      }
    }
    ::close(c);
  }

  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<Mail> mails_;
};

TEST(MailOutbox, RemindersReachEachUnitsContactOnceAndFailuresAreRetried) {
  TestServer server;
  server.clock().SetMs(ShanghaiMidnightMs(*ParseIsoDate("2022-05-10")) + 8 * 3600 * 1000);
  auto& db = *server.ctx().db;
  ASSERT_TRUE(
      db.Exec("INSERT INTO campaigns (name, year, submission_deadline, created_at, "
              "updated_at) VALUES ('2022年征集', 2022, '2022-05-15', 0, 0)"));
  FakeSmtpServer smtp;
  smtp.refuse_rcpt = true;
  auto& repos = server.ctx().review_repos;
  review::NotificationService svc(db, *repos.notifications, *repos.campaigns, server.clock(),
                                  {{7, 1}, /*mail_enabled=*/true});
  auto written = svc.GenerateReminders();
  ASSERT_TRUE(written) << written.error().message;
  EXPECT_GT(*written, 0);
  // One outbox row per unit with someone to remind (not per person).
  auto outbox = db.QueryOne("SELECT COUNT(*), COUNT(DISTINCT org_id) FROM mail_outbox");
  ASSERT_TRUE(outbox && *outbox);
  EXPECT_EQ((*outbox)->Int(0), (*outbox)->Int(1));
  EXPECT_GT((*outbox)->Int(0), 1);

  auto mailer = review::NewCurlSmtpMailer("smtp://127.0.0.1:" + std::to_string(smtp.port()),
                                          "noreply@example.org", 10);
  // The server refuses: nothing is sent, the rows wait with the error and a back-off.
  auto sent = svc.DeliverMail(*mailer, *server.ctx().org_repo);
  ASSERT_TRUE(sent) << sent.error().message;
  EXPECT_EQ(*sent, 0);
  auto failed = db.QueryOne(
      "SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL AND attempts = 1 "
      "AND last_error <> ''");
  EXPECT_EQ((*failed)->Int(0), 2);  // the two units with a contact person (广东, 北京)
  smtp.refuse_rcpt = false;
  EXPECT_EQ(*svc.DeliverMail(*mailer, *server.ctx().org_repo), 0);  // backing off
  server.clock().Advance(std::chrono::minutes(2));
  sent = svc.DeliverMail(*mailer, *server.ctx().org_repo);
  ASSERT_TRUE(sent);
  EXPECT_EQ(*sent, 2);
  EXPECT_EQ(*svc.DeliverMail(*mailer, *server.ctx().org_repo), 0);  // nothing twice
  auto mails = smtp.mails();
  ASSERT_EQ(mails.size(), 2u);
  std::set<std::string> to;
  for (const auto& m : mails) {
    to.insert(m.to);
    EXPECT_NE(m.from.find("<noreply@example.org>"), std::string::npos);
    EXPECT_NE(m.data.find("Subject: =?UTF-8?B?"), std::string::npos);
    EXPECT_NE(m.data.find("Content-Type: text/plain; charset=UTF-8"), std::string::npos);
  }
  EXPECT_EQ(to, (std::set<std::string>{"RCPT TO:<bj-contact@example.org>",
                                       "RCPT TO:<gd-contact@example.org>"}));
  // Units without a registered contact person are given up on, not retried forever.
  auto dropped =
      db.QueryOne("SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL AND attempts >= 5");
  EXPECT_EQ((*dropped)->Int(0), (*outbox)->Int(0) - 2);
  // A second reminder round the same day queues nothing new.
  EXPECT_EQ(*svc.GenerateReminders(), 0);
  auto again = db.QueryOne("SELECT COUNT(*) FROM mail_outbox");
  EXPECT_EQ((*again)->Int(0), (*outbox)->Int(0));
}

// A learner's password-reset mail goes to the learner's own address, not to a unit's 负责人.
TEST(MailOutbox, APasswordResetGoesToTheLearnersOwnAddress) {
  FakeSmtpServer smtp;
  TestServer server({}, [&](Config& c) {
    c.smtp_url = "smtp://127.0.0.1:" + std::to_string(smtp.port());
    c.smtp_from = "noreply@example.org";
    c.public_url = "https://lep.example.edu.cn";
  });
  Client anon(server.port());
  ASSERT_EQ(anon.Send("POST", "/api/v1/auth/register",
                      {{"username", "reader03"}, {"password", "Learn@2024x"},
                       {"email", "reader03@example.org"}, {"privacy_consent", true}})
                .status,
            201);
  ASSERT_EQ(anon.Send("POST", "/api/v1/auth/password-reset", {{"login", "reader03"}}).status, 202);
  auto mailer = review::NewCurlSmtpMailer("smtp://127.0.0.1:" + std::to_string(smtp.port()),
                                          "noreply@example.org", 10);
  auto sent = server.ctx().notifications->DeliverMail(*mailer, *server.ctx().org_repo);
  ASSERT_TRUE(sent) << sent.error().message;
  EXPECT_EQ(*sent, 1);
  auto mails = smtp.mails();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].to, "RCPT TO:<reader03@example.org>");
  EXPECT_EQ(*server.ctx().notifications->DeliverMail(*mailer, *server.ctx().org_repo), 0);
}

}  // namespace
}  // namespace lep::testing

// Tests for the address classifier and the libcurl link checker.
// ABSOLUTE RULE: the checker only ever gets loopback URLs (numeric or "localhost"), so no test
// connects beyond this machine or needs DNS. Public and private addresses appear only as
// classifier input, which never connects.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "linkcheck/address_classifier.h"
#include "linkcheck/link_checker.h"

namespace lep::linkcheck {
namespace {

// ---------------------------------------------------------------------------------------------
// Classifier

AddressVerdict ClassifyText(const std::string& text) {
  Result<IpAddress> ip = ParseIpAddress(text);
  EXPECT_TRUE(ip) << text;
  return ip ? Classify(*ip) : AddressVerdict{};
}

struct Case {
  const char* address;
  AddressClass kind;
};

TEST(AddressClassifier, BlocksEveryIpv4SpecialRange) {
  const Case cases[] = {
      {"0.0.0.0", AddressClass::kUnspecified},       {"0.255.255.255", AddressClass::kUnspecified},
      {"127.0.0.1", AddressClass::kLoopback},        {"127.255.255.254", AddressClass::kLoopback},
      {"10.0.0.0", AddressClass::kPrivate},          {"10.255.255.255", AddressClass::kPrivate},
      {"172.16.0.1", AddressClass::kPrivate},        {"172.31.255.255", AddressClass::kPrivate},
      {"192.168.0.1", AddressClass::kPrivate},       {"192.168.255.255", AddressClass::kPrivate},
      {"169.254.0.1", AddressClass::kLinkLocal},     {"169.254.169.254", AddressClass::kLinkLocal},
      {"100.64.0.0", AddressClass::kCgnat},          {"100.127.255.255", AddressClass::kCgnat},
      {"224.0.0.1", AddressClass::kMulticast},       {"239.255.255.250", AddressClass::kMulticast},
      {"255.255.255.255", AddressClass::kBroadcast}, {"240.0.0.1", AddressClass::kReserved},
      {"255.255.255.254", AddressClass::kReserved},  {"192.88.99.1", AddressClass::kReserved},
      {"198.18.0.1", AddressClass::kBenchmark},      {"198.19.255.255", AddressClass::kBenchmark},
      {"192.0.2.1", AddressClass::kDocumentation},   {"198.51.100.7", AddressClass::kDocumentation},
      {"203.0.113.9", AddressClass::kDocumentation}, {"192.0.0.0", AddressClass::kIetfProtocol},
      {"192.0.0.170", AddressClass::kIetfProtocol},
  };
  for (const Case& c : cases) {
    const AddressVerdict v = ClassifyText(c.address);
    EXPECT_EQ(v.kind, c.kind) << c.address << " -> " << v.Describe();
    EXPECT_TRUE(v.IsBlocked()) << c.address;
    EXPECT_EQ(v.embedded, EmbeddedForm::kNone) << c.address;
  }
}

TEST(AddressClassifier, PublicIpv4IncludingRangeEdges) {
  for (const char* a :
       {"8.8.8.8",         "1.1.1.1",        "11.0.0.0",       "9.255.255.255",   "126.255.255.255",
        "128.0.0.0",       "172.15.255.255", "172.32.0.0",     "192.167.255.255", "192.169.0.0",
        "169.253.255.255", "169.255.0.0",    "100.63.255.255", "100.128.0.0",     "198.17.255.255",
        "198.20.0.0",      "192.0.1.255",    "192.0.3.0",      "223.255.255.255", "1.0.0.0"}) {
    const AddressVerdict v = ClassifyText(a);
    EXPECT_TRUE(v.IsPublic()) << a << " -> " << v.Describe();
  }
}

TEST(AddressClassifier, BlocksEveryIpv6SpecialRange) {
  const Case cases[] = {
      {"::", AddressClass::kUnspecified},
      {"::1", AddressClass::kLoopback},
      {"fe80::1", AddressClass::kLinkLocal},
      {"febf:ffff::1", AddressClass::kLinkLocal},
      {"fc00::1", AddressClass::kUniqueLocal},
      {"fd12:3456:789a::1", AddressClass::kUniqueLocal},
      {"fec0::1", AddressClass::kSiteLocal},
      {"feff::1", AddressClass::kSiteLocal},
      {"ff02::1", AddressClass::kMulticast},
      {"ff0e::fb", AddressClass::kMulticast},
      {"2001::1", AddressClass::kTeredo},
      {"2001:0:4136:e378:8000:63bf:3fff:fdd2", AddressClass::kTeredo},
      {"100::1", AddressClass::kDiscardOnly},
      {"100::ffff:ffff:ffff:ffff", AddressClass::kDiscardOnly},
      {"2001:db8::1", AddressClass::kDocumentation},
      {"3fff::1", AddressClass::kDocumentation},
      {"2001:2::1", AddressClass::kBenchmark},
      {"2001:10::1", AddressClass::kIetfProtocol},
      {"2001:1ff::1", AddressClass::kIetfProtocol},
      {"64:ff9b:1::1", AddressClass::kIetfProtocol},
      {"4000::1", AddressClass::kReserved},
      {"1::1", AddressClass::kReserved},
      {"e000::1", AddressClass::kReserved},
  };
  for (const Case& c : cases) {
    const AddressVerdict v = ClassifyText(c.address);
    EXPECT_EQ(v.kind, c.kind) << c.address << " -> " << v.Describe();
    EXPECT_TRUE(v.IsBlocked()) << c.address;
  }
}

TEST(AddressClassifier, PublicIpv6) {
  for (const char* a : {"2001:4860::8888", "2001:4860:4860::8888", "2606:4700:4700::1111",
                        "2400:cb00::1", "2001:200::1", "3ffe::1"}) {
    const AddressVerdict v = ClassifyText(a);
    EXPECT_TRUE(v.IsPublic()) << a << " -> " << v.Describe();
  }
}

TEST(AddressClassifier, ClassifiesIpv4EmbeddedInIpv6) {
  struct Embedded {
    const char* address;
    AddressClass kind;
    EmbeddedForm form;
    const char* v4;
  };
  const Embedded cases[] = {
      {"::ffff:127.0.0.1", AddressClass::kLoopback, EmbeddedForm::kIpv4Mapped, "127.0.0.1"},
      {"::ffff:7f00:1", AddressClass::kLoopback, EmbeddedForm::kIpv4Mapped, "127.0.0.1"},
      {"::ffff:10.1.2.3", AddressClass::kPrivate, EmbeddedForm::kIpv4Mapped, "10.1.2.3"},
      {"::ffff:169.254.169.254", AddressClass::kLinkLocal, EmbeddedForm::kIpv4Mapped,
       "169.254.169.254"},
      {"::ffff:0.0.0.0", AddressClass::kUnspecified, EmbeddedForm::kIpv4Mapped, "0.0.0.0"},
      {"::ffff:8.8.8.8", AddressClass::kPublic, EmbeddedForm::kIpv4Mapped, "8.8.8.8"},
      {"::127.0.0.1", AddressClass::kLoopback, EmbeddedForm::kIpv4Compatible, "127.0.0.1"},
      {"::192.168.1.1", AddressClass::kPrivate, EmbeddedForm::kIpv4Compatible, "192.168.1.1"},
      {"::2", AddressClass::kUnspecified, EmbeddedForm::kIpv4Compatible, "0.0.0.2"},
      // Deprecated form: blocked even around a public address.
      {"::8.8.8.8", AddressClass::kIpv4Compatible, EmbeddedForm::kIpv4Compatible, "8.8.8.8"},
      {"64:ff9b::127.0.0.1", AddressClass::kLoopback, EmbeddedForm::kNat64, "127.0.0.1"},
      {"64:ff9b::a9fe:a9fe", AddressClass::kLinkLocal, EmbeddedForm::kNat64, "169.254.169.254"},
      {"64:ff9b::808:808", AddressClass::kPublic, EmbeddedForm::kNat64, "8.8.8.8"},
      {"2002:7f00:1::1", AddressClass::kLoopback, EmbeddedForm::k6to4, "127.0.0.1"},
      {"2002:c0a8:101::", AddressClass::kPrivate, EmbeddedForm::k6to4, "192.168.1.1"},
      {"2002:6440:1::1", AddressClass::kCgnat, EmbeddedForm::k6to4, "100.64.0.1"},
      {"2002:808:808::1", AddressClass::kPublic, EmbeddedForm::k6to4, "8.8.8.8"},
  };
  for (const Embedded& c : cases) {
    const AddressVerdict v = ClassifyText(c.address);
    EXPECT_EQ(v.kind, c.kind) << c.address << " -> " << v.Describe();
    EXPECT_EQ(v.embedded, c.form) << c.address;
    ASSERT_TRUE(v.embedded_v4.has_value()) << c.address;
    EXPECT_EQ(v.embedded_v4->ToString(), c.v4) << c.address;
  }
  EXPECT_EQ(ClassifyText("::ffff:127.0.0.1").Describe(), "loopback (via ipv4_mapped 127.0.0.1)");
}

TEST(AddressClassifier, ByteInterfaces) {
  EXPECT_EQ(ClassifyIpv4({127, 0, 0, 1}).kind, AddressClass::kLoopback);
  EXPECT_EQ(ClassifyIpv4({169, 254, 169, 254}).kind, AddressClass::kLinkLocal);
  EXPECT_TRUE(ClassifyIpv4({8, 8, 8, 8}).IsPublic());
  std::array<uint8_t, 16> loop6{};
  loop6[15] = 1;
  EXPECT_EQ(ClassifyIpv6(loop6).kind, AddressClass::kLoopback);
  std::array<uint8_t, 16> mapped{};
  mapped[10] = mapped[11] = 0xFF;
  mapped[12] = 10;
  mapped[15] = 7;
  EXPECT_EQ(ClassifyIpv6(mapped).kind, AddressClass::kPrivate);
  EXPECT_EQ(Classify(IpAddress::V4(192, 168, 0, 1)).kind, AddressClass::kPrivate);
  EXPECT_EQ(Classify(IpAddress::V6(loop6)).kind, AddressClass::kLoopback);
}

TEST(AddressClassifier, EveryClassHasADistinctName) {
  std::set<std::string_view> names;
  for (int i = 0; i <= static_cast<int>(AddressClass::kIpv4Compatible); ++i) {
    const std::string_view name = AddressClassName(static_cast<AddressClass>(i));
    EXPECT_NE(name, "unknown");
    names.insert(name);
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(AddressClass::kIpv4Compatible) + 1);
}

TEST(ParseIpAddress, StrictTextOnly) {
  ASSERT_TRUE(ParseIpAddress("127.0.0.1"));
  EXPECT_EQ(ParseIpAddress("127.0.0.1")->ToString(), "127.0.0.1");
  EXPECT_EQ(ParseIpAddress("2001:DB8:0:0::1")->ToString(), "2001:db8::1");
  EXPECT_TRUE(ParseIpAddress("127.0.0.1")->IsV4());
  // Loose spellings are libcurl's business at fetch time; here they are simply not addresses.
  for (const char* bad : {"", "127.1", "0x7f.0.0.1", "0x7f000001", "2130706433", "017700000001",
                          "0177.0.0.1", "[::1]", "fe80::1%eth0", "1.2.3.4.5", "1.2.3", "256.1.1.1",
                          "localhost", " 127.0.0.1", "::ffff:127.1"}) {
    EXPECT_FALSE(ParseIpAddress(bad)) << bad;
  }
}

TEST(Cidr, ParsesAndMatches) {
  Result<Cidr> host = ParseCidr("127.0.0.1/32");
  ASSERT_TRUE(host);
  EXPECT_TRUE(host->Contains(IpAddress::V4(127, 0, 0, 1)));
  EXPECT_FALSE(host->Contains(IpAddress::V4(127, 0, 0, 2)));
  EXPECT_TRUE(host->Contains(*ParseIpAddress("::ffff:127.0.0.1")));  // same destination
  EXPECT_FALSE(host->Contains(*ParseIpAddress("::1")));

  Result<Cidr> net = ParseCidr("10.0.0.0/8");
  ASSERT_TRUE(net);
  EXPECT_TRUE(net->Contains(IpAddress::V4(10, 200, 3, 4)));
  EXPECT_FALSE(net->Contains(IpAddress::V4(11, 0, 0, 0)));

  Result<Cidr> bare = ParseCidr("::1");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->prefix_len, 128);
  EXPECT_TRUE(bare->Contains(*ParseIpAddress("::1")));
  EXPECT_FALSE(bare->Contains(IpAddress::V4(127, 0, 0, 1)));

  Result<Cidr> v6 = ParseCidr("fd00::/8");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->Contains(*ParseIpAddress("fd12::1")));
  EXPECT_FALSE(v6->Contains(*ParseIpAddress("fc00::1")));

  Result<Cidr> all = ParseCidr("0.0.0.0/0");
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->Contains(IpAddress::V4(8, 8, 8, 8)));

  for (const char* bad : {"10.0.0.1/8", "1.2.3.4/33", "::/129", "x/8", "1.2.3.4/", "1.2.3.4/-1",
                          "1.2.3.4/8x", "127.1/32", ""}) {
    EXPECT_FALSE(ParseCidr(bad)) << bad;
  }
}

TEST(LinkCheckOptions, Validation) {
  EXPECT_TRUE(ValidateLinkCheckOptions(LinkCheckOptions{}));
  LinkCheckOptions bad;
  bad.connect_timeout = std::chrono::milliseconds(0);
  bad.max_body_bytes = 0;
  bad.test_allow_cidrs = {"127.0.0.1/32", "not-a-cidr"};
  Status s = ValidateLinkCheckOptions(bad);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(s.error().fields.size(), 3u);
}

// ---------------------------------------------------------------------------------------------
// Loopback canary: a tiny HTTP/1.1 server that counts every connection it gets.

struct Request {
  std::string method;
  std::string path;
  std::string headers;  // lower-cased header block
};

struct Reply {
  int status = 200;
  std::vector<std::string> headers;  // "Name: value"
  size_t body_bytes = 0;
  size_t content_length = 0;  // announced; defaults to body_bytes
  bool hang = false;          // read the request, never answer
};

using Router = std::function<Reply(const Request&)>;

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      Reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  ~Fd() { Reset(); }
  int get() const { return fd_; }
  void Reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

class CanaryServer {
 public:
  // Listens on `host` (numeric, loopback only) at an ephemeral port; nullptr if impossible.
  static std::unique_ptr<CanaryServer> Start(const std::string& host, Router router) {
    auto s = std::unique_ptr<CanaryServer>(new CanaryServer(std::move(router)));
    if (!s->Listen(host)) return nullptr;
    s->thread_ = std::thread([p = s.get()] { p->Loop(); });
    return s;
  }

  ~CanaryServer() {
    const char b = 'x';
    (void)!write(wake_write_.get(), &b, 1);
    if (thread_.joinable()) thread_.join();
  }

  uint16_t port() const { return port_; }

  // Connections ever made to this listener, including any still waiting in the backlog.
  int Connections() {
    for (;;) {
      Fd c(accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (c.get() < 0) break;
      ++connections_;
    }
    return connections_.load();
  }

  std::vector<Request> Requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  explicit CanaryServer(Router router) : router_(std::move(router)) {}

  bool Listen(const std::string& host) {
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) return false;
    wake_read_ = Fd(pipe_fds[0]);
    wake_write_ = Fd(pipe_fds[1]);
    sockaddr_storage ss{};
    socklen_t len = 0;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
    if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
      v4->sin_family = AF_INET;
      len = sizeof(sockaddr_in);
    } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
      v6->sin6_family = AF_INET6;
      len = sizeof(sockaddr_in6);
    } else {
      return false;
    }
    listen_ = Fd(socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (listen_.get() < 0) return false;
    if (ss.ss_family == AF_INET6) {
      const int one = 1;
      setsockopt(listen_.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    }
    if (bind(listen_.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) return false;
    if (listen(listen_.get(), 64) != 0) return false;
    if (getsockname(listen_.get(), reinterpret_cast<sockaddr*>(&ss), &len) != 0) return false;
    port_ = ntohs(ss.ss_family == AF_INET ? v4->sin_port : v6->sin6_port);
    return true;
  }

  // Waits until fd is ready for `events` or the server is stopping. False on stop/timeout.
  bool Wait(int fd, short events, int timeout_ms = 10000) {
    pollfd fds[2] = {{fd, events, 0}, {wake_read_.get(), POLLIN, 0}};
    if (poll(fds, 2, timeout_ms) <= 0) return false;
    if (fds[1].revents != 0) return false;
    return fds[0].revents != 0;
  }

  void Loop() {
    for (;;) {
      if (!Wait(listen_.get(), POLLIN, -1)) return;
      Fd c(accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (c.get() < 0) continue;  // taken by Connections() first
      ++connections_;
      Serve(c.get());
    }
  }

  void Serve(int fd) {
    std::string in;
    char buf[4096];
    while (in.find("\r\n\r\n") == std::string::npos && in.size() < 65536) {
      if (!Wait(fd, POLLIN)) return;
      const ssize_t n = read(fd, buf, sizeof(buf));
      if (n <= 0) return;
      in.append(buf, static_cast<size_t>(n));
    }
    Request req;
    const size_t sp1 = in.find(' ');
    const size_t sp2 = in.find(' ', sp1 + 1);
    if (sp1 == std::string::npos || sp2 == std::string::npos) return;
    req.method = in.substr(0, sp1);
    req.path = in.substr(sp1 + 1, sp2 - sp1 - 1);
    req.headers = in.substr(in.find("\r\n") + 2);
    std::transform(req.headers.begin(), req.headers.end(), req.headers.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(req);
    }
    const Reply reply = router_(req);
    if (reply.hang) {
      // Hold the connection until the client gives up (read returns 0) or the server stops.
      while (Wait(fd, POLLIN) && read(fd, buf, sizeof(buf)) > 0) {
      }
      return;
    }
    const size_t announced = reply.content_length != 0 ? reply.content_length : reply.body_bytes;
    std::string head = "HTTP/1.1 " + std::to_string(reply.status) + " X\r\nConnection: close\r\n" +
                       "Content-Length: " + std::to_string(announced) + "\r\n";
    for (const std::string& h : reply.headers) head += h + "\r\n";
    head += "\r\n";
    if (!SendAll(fd, head.data(), head.size())) return;
    if (req.method == "HEAD") return;
    const std::string chunk(16384, 'a');
    for (size_t sent = 0; sent < reply.body_bytes; sent += chunk.size()) {
      if (!SendAll(fd, chunk.data(), std::min(chunk.size(), reply.body_bytes - sent))) return;
    }
  }

  bool SendAll(int fd, const char* p, size_t n) {
    while (n > 0) {
      if (!Wait(fd, POLLOUT)) return false;
      const ssize_t w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
      if (w <= 0) return false;
      p += w;
      n -= static_cast<size_t>(w);
    }
    return true;
  }

  Router router_;
  Fd listen_, wake_read_, wake_write_;
  uint16_t port_ = 0;
  std::atomic<int> connections_{0};
  std::mutex mu_;
  std::vector<Request> requests_;
  std::thread thread_;
};

Reply Redirect(int status, const std::string& location) {
  Reply r;
  r.status = status;
  r.headers.push_back("Location: " + location);
  return r;
}

class LinkCheckerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    other_ = CanaryServer::Start("127.0.0.2", [](const Request&) { return Reply{}; });
    ASSERT_NE(other_, nullptr) << "cannot listen on 127.0.0.2";
    canary_ = CanaryServer::Start("127.0.0.1", [this](const Request& r) { return Route(r); });
    ASSERT_NE(canary_, nullptr) << "cannot listen on 127.0.0.1";
  }

  Reply Route(const Request& r) {
    const std::string& p = r.path;
    if (p == "/" || p == "/ok") return Reply{};
    if (p == "/404") return Reply{404};
    if (p == "/500") return Reply{500};
    if (p == "/r1") return Redirect(301, "/r2");
    if (p == "/r2") return Redirect(302, Base() + "/ok");
    if (p.starts_with("/chain/")) {
      const int n = std::stoi(p.substr(7));
      return n == 0 ? Reply{} : Redirect(302, "/chain/" + std::to_string(n - 1));
    }
    if (p == "/to-other") {
      return Redirect(302, "http://127.0.0.2:" + std::to_string(other_->port()) + "/ok");
    }
    if (p == "/to-ftp") return Redirect(302, "ftp://127.0.0.1:" + Port() + "/x");
    if (p == "/to-file") return Redirect(301, "file:///etc/passwd");
    if (p == "/to-gopher") return Redirect(302, "gopher://127.0.0.1:" + Port() + "/_x");
    if (p == "/to-creds") return Redirect(302, "http://u:p@127.0.0.1:" + Port() + "/ok");
    if (p == "/to-localhost") return Redirect(302, "http://localhost:" + Port() + "/ok");
    if (p == "/to-mapped") return Redirect(302, "http://[::ffff:127.0.0.2]:" + OtherPort() + "/");
    if (p == "/300-no-location") return Reply{300};
    if (p == "/hang") return Reply{.hang = true};
    if (p == "/no-head") {
      if (r.method == "HEAD") return Reply{405};
      return Reply{.status = 206, .body_bytes = 10};
    }
    if (p == "/huge") {
      if (r.method == "HEAD") return Reply{501};
      // Ignores Range; announces 1 GiB and sends 8 MiB, far beyond the 64 KiB cap.
      return Reply{.status = 200, .body_bytes = 8u << 20, .content_length = 1u << 30};
    }
    return Reply{404};
  }

  std::string Port() const { return std::to_string(canary_->port()); }
  std::string OtherPort() const { return std::to_string(other_->port()); }
  std::string Base() const { return "http://127.0.0.1:" + Port(); }

  static LinkCheckOptions Fast(std::vector<std::string> allow = {}) {
    LinkCheckOptions o;
    o.connect_timeout = std::chrono::milliseconds(2000);
    o.total_timeout = std::chrono::milliseconds(5000);
    o.test_allow_cidrs = std::move(allow);
    return o;
  }
  static std::unique_ptr<LinkChecker> Allowing127001() {
    return NewCurlLinkChecker(Fast({"127.0.0.1/32"}));
  }

  std::unique_ptr<CanaryServer> other_;
  std::unique_ptr<CanaryServer> canary_;
};

TEST_F(LinkCheckerTest, LoopbackInAnySpellingIsRefusedWithoutConnecting) {
  auto checker = NewCurlLinkChecker(Fast());
  const std::string port = Port();
  for (const char* host : {"127.0.0.1",
                           "127.1",
                           "2130706433",
                           "0x7f.1",
                           "0x7f000001",
                           "017700000001",
                           "0177.0.0.1",
                           "127.0.0.1.",
                           "0x7f.1.",
                           "2130706433..",
                           "localhost",
                           "localhost..",
                           "localhost.",
                           "LocalHost",
                           "foo.localhost",
                           "[::1]",
                           "[::ffff:127.0.0.1]",
                           "[::ffff:7f00:1]",
                           "[::127.0.0.1]",
                           "0.0.0.0",
                           "[::]"}) {
    const std::string url = "http://" + std::string(host) + ":" + port + "/";
    const LinkCheckResult r = checker->Check(url);
    EXPECT_FALSE(r.reachable) << url;
    EXPECT_EQ(r.error_code, "blocked_address") << url << ": " << r.error;
    EXPECT_EQ(r.status, 0) << url;
    EXPECT_FALSE(r.error.empty()) << url;
  }
  EXPECT_EQ(canary_->Connections(), 0);
  EXPECT_TRUE(canary_->Requests().empty());
}

TEST_F(LinkCheckerTest, Ipv6LoopbackCanaryGetsNoConnection) {
  auto v6 = CanaryServer::Start("::1", [](const Request&) { return Reply{}; });
  if (!v6) GTEST_SKIP() << "no IPv6 loopback here";
  auto checker = NewCurlLinkChecker(Fast());
  const LinkCheckResult r = checker->Check("http://[::1]:" + std::to_string(v6->port()) + "/");
  EXPECT_EQ(r.error_code, "blocked_address") << r.error;
  EXPECT_EQ(v6->Connections(), 0);
}

TEST_F(LinkCheckerTest, AllowListOnlyLiftsTheListedBlock) {
  auto checker = Allowing127001();
  const std::string url = "http://127.0.0.2:" + OtherPort() + "/";
  EXPECT_EQ(checker->Check(url).error_code, "blocked_address");
  EXPECT_EQ(checker->Check("http://[::1]:" + Port() + "/").error_code, "blocked_address");
  EXPECT_EQ(other_->Connections(), 0);
}

TEST_F(LinkCheckerTest, NonHttpSchemesAreRejectedWithoutConnecting) {
  auto checker = Allowing127001();  // the address would be allowed: the scheme is the reason
  for (const std::string& url : std::vector<std::string>{
           "gopher://127.0.0.1:" + Port() + "/_GET", "dict://127.0.0.1:" + Port() + "/d:x",
           "ftp://127.0.0.1:" + Port() + "/", "file:///etc/passwd", "file://127.0.0.1/etc/passwd",
           "scp://127.0.0.1:" + Port() + "/x", "ws://127.0.0.1:" + Port() + "/",
           "javascript://127.0.0.1/%0aalert(1)"}) {
    const LinkCheckResult r = checker->Check(url);
    EXPECT_EQ(r.error_code, "bad_scheme") << url << ": " << r.error;
    EXPECT_FALSE(r.reachable);
  }
  EXPECT_EQ(canary_->Connections(), 0);
}

TEST_F(LinkCheckerTest, CredentialsInUrlAreRejectedWithoutConnecting) {
  auto checker = Allowing127001();
  for (const std::string& url : std::vector<std::string>{
           "http://user:pass@127.0.0.1:" + Port() + "/ok",
           "http://user@127.0.0.1:" + Port() + "/ok", "http://:pass@127.0.0.1:" + Port() + "/ok",
           "http://u;auth=x@127.0.0.1:" + Port() + "/ok"}) {
    const LinkCheckResult r = checker->Check(url);
    EXPECT_EQ(r.error_code, "credentials_in_url") << url << ": " << r.error;
  }
  EXPECT_EQ(canary_->Connections(), 0);
}

TEST_F(LinkCheckerTest, MalformedUrlsAreRejected) {
  auto checker = Allowing127001();
  for (const std::string& url : std::vector<std::string>{
           std::string(), std::string("not a url"), "http://127.0.0.1:" + Port() + "/a b",
           "http://127.0.0.1:" + Port() + "/a\r\nX-Injected: 1",
           std::string("http://127.0.0.1:99999/"), std::string("127.0.0.1/ok"),
           std::string(9000, 'a'), std::string("http://./"), "http://1.2.3.4.5:" + Port() + "/",
           "http://127.0.0.1.1:" + Port() + "/", "http://999.0.0.1:" + Port() + "/",
           std::string("http://127.0.0.1/\0x", 19)}) {
    const LinkCheckResult r = checker->Check(url);
    EXPECT_EQ(r.error_code, "bad_url") << url.substr(0, 60) << ": " << r.error;
  }
  EXPECT_EQ(canary_->Connections(), 0);
}

TEST_F(LinkCheckerTest, OkIsReachableAndTheRequestIsClean) {
  auto checker = Allowing127001();
  const LinkCheckResult r = checker->Check(Base() + "/ok");
  EXPECT_TRUE(r.reachable) << r.error_code << " " << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.hops, 0);
  EXPECT_EQ(r.final_url, Base() + "/ok");
  EXPECT_TRUE(r.error.empty());
  EXPECT_TRUE(r.error_code.empty());
  EXPECT_GE(r.elapsed_ms, 0);

  const std::vector<Request> reqs = canary_->Requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "HEAD");
  EXPECT_NE(reqs[0].headers.find("user-agent: lep-linkcheck/"), std::string::npos);
  EXPECT_EQ(reqs[0].headers.find("cookie:"), std::string::npos);
  EXPECT_EQ(reqs[0].headers.find("authorization:"), std::string::npos);
  EXPECT_EQ(reqs[0].headers.find("range:"), std::string::npos);
}

TEST_F(LinkCheckerTest, ErrorStatusesAreNotReachable) {
  auto checker = Allowing127001();
  LinkCheckResult r = checker->Check(Base() + "/404");
  EXPECT_FALSE(r.reachable);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.error_code, "http_status");
  EXPECT_NE(r.error.find("404"), std::string::npos);
  r = checker->Check(Base() + "/500");
  EXPECT_FALSE(r.reachable);
  EXPECT_EQ(r.status, 500);
}

TEST_F(LinkCheckerTest, FollowsRedirectChain) {
  auto checker = Allowing127001();
  const LinkCheckResult r = checker->Check(Base() + "/r1");
  EXPECT_TRUE(r.reachable) << r.error_code << " " << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.hops, 2);
  EXPECT_EQ(r.final_url, Base() + "/ok");
}

TEST_F(LinkCheckerTest, FiveRedirectsAreFineSixAreTooMany) {
  auto checker = Allowing127001();
  LinkCheckResult r = checker->Check(Base() + "/chain/5");
  EXPECT_TRUE(r.reachable) << r.error_code;
  EXPECT_EQ(r.hops, 5);
  EXPECT_EQ(r.final_url, Base() + "/chain/0");

  const int before = canary_->Connections();
  r = checker->Check(Base() + "/chain/6");
  EXPECT_FALSE(r.reachable);
  EXPECT_EQ(r.error_code, "too_many_redirects");
  EXPECT_EQ(r.hops, 5);
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(r.final_url, Base() + "/chain/1");
  EXPECT_EQ(canary_->Connections() - before, 6);  // the 7th request is never made
}

TEST_F(LinkCheckerTest, RedirectToAddressOutsideAllowListIsBlocked) {
  auto checker = Allowing127001();
  for (const char* path : {"/to-other", "/to-mapped"}) {
    const LinkCheckResult r = checker->Check(Base() + path);
    EXPECT_FALSE(r.reachable) << path;
    EXPECT_EQ(r.error_code, "blocked_address") << path << ": " << r.error;
    EXPECT_EQ(r.hops, 1) << path;
  }
  EXPECT_EQ(other_->Connections(), 0);
  EXPECT_EQ(canary_->Connections(), 2);
}

TEST_F(LinkCheckerTest, RedirectToOtherSchemesOrCredentialsIsRejected) {
  auto checker = Allowing127001();
  EXPECT_EQ(checker->Check(Base() + "/to-ftp").error_code, "bad_scheme");
  EXPECT_EQ(checker->Check(Base() + "/to-file").error_code, "bad_scheme");
  EXPECT_EQ(checker->Check(Base() + "/to-gopher").error_code, "bad_scheme");
  EXPECT_EQ(checker->Check(Base() + "/to-creds").error_code, "credentials_in_url");
  EXPECT_EQ(checker->Check(Base() + "/to-localhost").error_code, "blocked_address");
  EXPECT_EQ(canary_->Connections(), 5);  // only the five first hops
}

TEST_F(LinkCheckerTest, ThreeXxWithoutLocationCountsAsReachable) {
  auto checker = Allowing127001();
  const LinkCheckResult r = checker->Check(Base() + "/300-no-location");
  EXPECT_TRUE(r.reachable) << r.error_code;
  EXPECT_EQ(r.status, 300);
  EXPECT_EQ(r.hops, 0);
}

TEST_F(LinkCheckerTest, FallsBackToRangedGetWhenHeadIsRefused) {
  auto checker = Allowing127001();
  const LinkCheckResult r = checker->Check(Base() + "/no-head");
  EXPECT_TRUE(r.reachable) << r.error_code << " " << r.error;
  EXPECT_EQ(r.status, 206);
  const std::vector<Request> reqs = canary_->Requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].method, "HEAD");
  EXPECT_EQ(reqs[1].method, "GET");
  EXPECT_NE(reqs[1].headers.find("range: bytes=0-65535"), std::string::npos) << reqs[1].headers;
}

TEST_F(LinkCheckerTest, HugeBodyIsCutAtTheCapWithoutFailing) {
  auto checker = Allowing127001();
  const LinkCheckResult r = checker->Check(Base() + "/huge");
  EXPECT_TRUE(r.reachable) << r.error_code << " " << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_LT(r.elapsed_ms, 5000);
}

TEST_F(LinkCheckerTest, SilentServerTimesOut) {
  LinkCheckOptions o = Fast({"127.0.0.1/32"});
  o.connect_timeout = std::chrono::milliseconds(300);
  o.total_timeout = std::chrono::milliseconds(300);
  auto checker = NewCurlLinkChecker(o);
  const LinkCheckResult r = checker->Check(Base() + "/hang");
  EXPECT_FALSE(r.reachable);
  EXPECT_EQ(r.error_code, "timeout") << r.error;
  EXPECT_EQ(r.status, 0);
  EXPECT_GE(r.elapsed_ms, 250);
  EXPECT_LT(r.elapsed_ms, 5000);
}

TEST_F(LinkCheckerTest, ClosedPortIsAConnectError) {
  // A bound but not listening socket: the port is ours, so a connect is refused, not raced.
  Fd held(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_GE(held.get(), 0);
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(held.get(), reinterpret_cast<sockaddr*>(&sin), sizeof(sin)), 0);
  socklen_t len = sizeof(sin);
  ASSERT_EQ(getsockname(held.get(), reinterpret_cast<sockaddr*>(&sin), &len), 0);
  auto checker = Allowing127001();
  const LinkCheckResult r =
      checker->Check("http://127.0.0.1:" + std::to_string(ntohs(sin.sin_port)) + "/");
  EXPECT_EQ(r.error_code, "connect") << r.error;
}

TEST_F(LinkCheckerTest, SafeToUseFromSeveralThreads) {
  auto checker = Allowing127001();
  std::atomic<int> reachable{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        if (checker->Check(Base() + "/r1").reachable) ++reachable;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(reachable.load(), 20);
}

}  // namespace
}  // namespace lep::linkcheck

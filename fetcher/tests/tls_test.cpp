// TLS verification against a real TLS server: `openssl s_server` with a fresh self-signed
// certificate. Refused by default; accepted only with the per-feed insecure_tls opt-in.
#include <filesystem>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fetch_helpers.hpp"
#include "process.hpp"

namespace herald::fetcher::testing {
namespace {

const std::filesystem::path kOpenssl = "/usr/bin/openssl";

bool accepts_connections(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    const bool connected =
        ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return connected;
}

TEST(FetcherTls, SelfSignedCertificateIsRefusedUnlessOptedIn) {
    if (!std::filesystem::exists(kOpenssl)) GTEST_SKIP() << "no openssl binary";
    test::TempDir dir("herald-tls");
    const auto key = (dir / "key.pem").string();
    const auto cert = (dir / "cert.pem").string();
    auto make_cert = test::Process::start(
        kOpenssl, {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                   "-nodes", "-subj", "/CN=127.0.0.1", "-days", "1", "-keyout", key, "-out", cert});
    ASSERT_EQ(make_cert.wait(30s), 0) << make_cert.stderr_text();
    const int port = test::free_tcp_port();
    auto server =
        test::Process::start(kOpenssl, {"s_server", "-accept", "127.0.0.1:" + std::to_string(port),
                                        "-cert", cert, "-key", key, "-www", "-quiet"});
    ASSERT_TRUE(test::wait_until([&] { return accepts_connections(port); }, 10s))
        << server.stderr_text();

    const CurlGlobal curl;
    Fetcher fetcher(curl, test_options());
    const auto url = "https://127.0.0.1:" + std::to_string(port) + "/";
    const auto refused = fetch(fetcher, request_for(url));
    EXPECT_EQ(refused.kind, OutcomeKind::kError);
    EXPECT_EQ(refused.error.kind, ErrorKind::kTls) << refused.error.message;
    EXPECT_TRUE(refused.body.empty());

    auto insecure = request_for(url);
    insecure.insecure_tls = true;
    const auto accepted = fetch(fetcher, insecure);
    EXPECT_EQ(accepted.kind, OutcomeKind::kOk) << accepted.error.message;
    EXPECT_EQ(accepted.http_status, 200);
    EXPECT_NE(accepted.body.find("s_server"), std::string::npos);
}

}  // namespace
}  // namespace herald::fetcher::testing

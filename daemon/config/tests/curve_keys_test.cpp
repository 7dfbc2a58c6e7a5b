// [daemon] metrics_file, curve_secret_key and curve_clients: key text, key files, errors with
// the key and the line (config line, or the key file's own line).
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include <herald/config.hpp>

namespace herald::config {
namespace {

namespace fs = std::filesystem;

// Real keys from zmq_curve_keypair (tests/system makes fresh ones).
constexpr std::string_view kPublic = "-OEt%iG6Ew1%Tvz*zi8tzckxAl[TR{heZiqH5qYR";
constexpr std::string_view kSecret = "/wj}ePRyx/?bm=Y!>)l/Yyf3)O.8-udoOt{dYjAL";

class KeyDir {
public:
    KeyDir() {
        std::random_device random;
        path_ = fs::temp_directory_path() / ("herald-curve-test-" + std::to_string(random()));
        fs::create_directories(path_);
    }
    ~KeyDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    KeyDir(const KeyDir&) = delete;
    KeyDir& operator=(const KeyDir&) = delete;
    fs::path write(const std::string& name, const std::string& text) const {
        std::ofstream(path_ / name) << text;
        return path_ / name;
    }
    [[nodiscard]] fs::path config() const { return path_ / "herald.toml"; }
    tl::expected<Config, ConfigError> parse(const std::string& daemon_lines) const {
        Environment env;
        env.home = "/home/tester";
        env.system_config = "/nonexistent/herald.toml";
        return parse_config("[daemon]\n" + daemon_lines, config(), env);
    }

private:
    fs::path path_;
};

TEST(CurveKeys, Z85KeysAreFortyCharactersOfTheAlphabetWithinRange) {
    EXPECT_TRUE(is_z85_key(kPublic));
    EXPECT_TRUE(is_z85_key(kSecret));
    EXPECT_FALSE(is_z85_key(kPublic.substr(1)));
    EXPECT_FALSE(is_z85_key(std::string{kPublic.substr(1)} + "~"));  // ~ is not Z85
    EXPECT_FALSE(is_z85_key(std::string(40, '#')));                  // 85^5-1 > 2^32-1
}

TEST(CurveKeys, ReadsKeygenFilesAndBareKeys) {
    KeyDir dir;
    auto pair = read_curve_key_file(
        dir.write("k", "# comment\npublic-key = \"" + std::string{kPublic} + "\"\nsecret-key = \"" +
                           std::string{kSecret} + "\"\n"),
        true);
    ASSERT_TRUE(pair.has_value()) << pair.error().to_string();
    EXPECT_EQ(pair->public_key, kPublic);
    EXPECT_EQ(pair->secret_key, kSecret);
    auto bare = read_curve_key_file(dir.write("b", std::string{kSecret} + "\n"), true);
    ASSERT_TRUE(bare.has_value());
    EXPECT_EQ(bare->secret_key, kSecret);
    EXPECT_EQ(bare->public_key, "");
    auto broken = read_curve_key_file(dir.write("x", "\n\nsecret-key = \"short\"\n"), true);
    ASSERT_FALSE(broken.has_value());
    EXPECT_EQ(broken.error().line, 3);
}

TEST(CurveKeys, ConfigTakesInlineKeysFilesAndStringOrArray) {
    KeyDir dir;
    dir.write("server.key", "secret-key = \"" + std::string{kSecret} + "\"\n");
    dir.write("clients.keys", "# ops laptop\n" + std::string{kPublic} + "\n");
    auto from_files = dir.parse(
        "curve_secret_key = \"server.key\"\ncurve_clients = \"clients.keys\"\n"
        "metrics_file = \"m/herald.prom\"\n");
    ASSERT_TRUE(from_files.has_value()) << from_files.error().to_string();
    EXPECT_EQ(from_files->daemon.curve_secret_key, kSecret);
    EXPECT_EQ(from_files->daemon.curve_clients, std::vector<std::string>{std::string{kPublic}});
    EXPECT_EQ(from_files->daemon.metrics_file, dir.config().parent_path() / "m/herald.prom");
    EXPECT_TRUE(from_files->daemon.has_curve());

    auto inline_keys =
        dir.parse("curve_secret_key = \"" + std::string{kSecret} + "\"\ncurve_clients = [\"" +
                  std::string{kPublic} + "\", \"clients.keys\"]\n");
    ASSERT_TRUE(inline_keys.has_value()) << inline_keys.error().to_string();
    EXPECT_EQ(inline_keys->daemon.curve_clients.size(), 2u);
    auto off = dir.parse("log_level = \"info\"\n");
    ASSERT_TRUE(off.has_value());
    EXPECT_FALSE(off->daemon.has_curve());
    EXPECT_TRUE(off->daemon.metrics_file.empty());
}

TEST(CurveKeys, ErrorsNameTheKeyAndLine) {
    KeyDir dir;
    dir.write("clients.keys", std::string{kPublic} + "\nnope\n");
    auto bad_list = dir.parse("curve_secret_key = \"" + std::string{kSecret} +
                              "\"\ncurve_clients = \"clients.keys\"\n");
    ASSERT_FALSE(bad_list.has_value());
    EXPECT_EQ(bad_list.error().key, "daemon.curve_clients");
    EXPECT_EQ(bad_list.error().line, 2);
    EXPECT_NE(bad_list.error().file.find("clients.keys"), std::string::npos);

    auto missing = dir.parse("curve_secret_key = \"no-such.key\"\ncurve_clients = \"" +
                             std::string{kPublic} + "\"\n");
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().key, "daemon.curve_secret_key");
    EXPECT_EQ(missing.error().line, 2) << missing.error().to_string();
    EXPECT_NE(missing.error().message.find("no-such.key"), std::string::npos);

    dir.write("pair.key", "secret-key = \"" + std::string{kSecret} + "\"\n");
    auto secret_in_list = dir.parse("curve_secret_key = \"" + std::string{kSecret} +
                                    "\"\ncurve_clients = \"pair.key\"\n");
    ASSERT_FALSE(secret_in_list.has_value());
    EXPECT_NE(secret_in_list.error().message.find("secret key"), std::string::npos);

    auto lonely_clients = dir.parse("curve_clients = \"" + std::string{kPublic} + "\"\n");
    ASSERT_FALSE(lonely_clients.has_value());
    EXPECT_EQ(lonely_clients.error().key, "daemon.curve_secret_key");
    auto lonely_secret = dir.parse("curve_secret_key = \"" + std::string{kSecret} + "\"\n");
    ASSERT_FALSE(lonely_secret.has_value());
    EXPECT_EQ(lonely_secret.error().key, "daemon.curve_clients");
    EXPECT_EQ(lonely_secret.error().line, 2);
}

}  // namespace
}  // namespace herald::config

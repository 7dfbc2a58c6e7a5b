// Cursor files: {"store": ID, "seq": N} on one line, replaced atomically so a crash leaves
// either the old cursor or the new one, never a torn file.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <herald/client.hpp>

namespace herald::client {
namespace {

ClientError io_error(const std::string& what, const std::filesystem::path& path) {
    return ClientError{ClientErrorKind::kIo,
                       what + " " + path.string() + ": " + std::strerror(errno)};
}

// Owns one file descriptor.
class UniqueFd {
public:
    explicit UniqueFd(int fd) : fd_(fd) {}
    ~UniqueFd() {
        if (fd_ >= 0) ::close(fd_);
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    [[nodiscard]] int get() const { return fd_; }
    // Closes now so the caller sees close()'s error (NFS reports write errors there).
    [[nodiscard]] bool close() {
        const int fd = fd_;
        fd_ = -1;
        return ::close(fd) == 0;
    }

private:
    int fd_;
};

bool write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const auto written = ::write(fd, bytes.data(), bytes.size());
        if (written < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        bytes.remove_prefix(static_cast<std::size_t>(written));
    }
    return true;
}

}  // namespace

tl::expected<std::optional<Cursor>, ClientError> load_cursor(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (errno == ENOENT) return std::optional<Cursor>{};
        return tl::unexpected(io_error("cannot read cursor", path));
    }
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    const auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    const auto bad = [&path] {
        return tl::unexpected(ClientError{
            ClientErrorKind::kIo,
            "cursor file " + path.string() + " is damaged (expected {\"store\":ID,\"seq\":N})"});
    };
    if (json.is_discarded() || !json.is_object()) return bad();
    const auto seq = json.find("seq");
    const auto store = json.find("store");
    if (seq == json.end() || !seq->is_number_integer() || seq->get<std::int64_t>() < 0) {
        return bad();
    }
    Cursor cursor;
    cursor.seq = seq->get<std::int64_t>();
    if (store != json.end() && store->is_string()) cursor.store = store->get<std::string>();
    return cursor;
}

tl::expected<void, ClientError> save_cursor(const std::filesystem::path& path,
                                            const Cursor& cursor) {
    const nlohmann::json json{{"store", cursor.store}, {"seq", cursor.seq}};
    const std::string text = json.dump() + "\n";
    auto temp = path;
    temp += ".tmp";
    {
        UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        if (fd.get() < 0) return tl::unexpected(io_error("cannot write cursor", temp));
        // fsync before rename: otherwise a crash can leave the new name pointing at an empty
        // file on ext4/xfs.
        if (!write_all(fd.get(), text) || ::fsync(fd.get()) != 0 || !fd.close()) {
            return tl::unexpected(io_error("cannot write cursor", temp));
        }
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        return tl::unexpected(io_error("cannot replace cursor", path));
    }
    // The rename itself is durable only once the directory is synced.
    auto dir = path.parent_path();
    if (dir.empty()) dir = ".";
    UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir_fd.get() < 0 || ::fsync(dir_fd.get()) != 0) {
        return tl::unexpected(io_error("cannot sync directory", dir));
    }
    return {};
}

}  // namespace herald::client

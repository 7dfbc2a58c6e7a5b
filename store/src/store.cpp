// Store: opening, migrations, the meta row helpers and the public entry points for feeds.

#include <random>

#include <SQLiteCpp/Exception.h>

#include <herald/store.hpp>

#include "feeds.hpp"
#include "impl.hpp"
#include "schema.hpp"

namespace herald::store {
namespace detail {

std::int64_t read_meta_int(Store::Impl& impl, const char* key) {
    auto& select = impl.statement("SELECT value FROM meta WHERE key = ?");
    select.bind(1, key);
    return select.executeStep() ? select.getColumn(0).getInt64() : 0;
}

void write_meta_int(Store::Impl& impl, const char* key, std::int64_t value) {
    auto& upsert = impl.statement("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)");
    upsert.bind(1, key);
    upsert.bind(2, value);
    upsert.exec();
}

void bump_feeds_version(Store::Impl& impl) {
    impl.statement("UPDATE meta SET value = value + 1 WHERE key = 'feeds_version'").exec();
}

namespace {

std::string new_store_id() {
    std::random_device random;
    std::uint64_t value = (static_cast<std::uint64_t>(random()) << 32) ^ random();
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id(16, '0');
    for (auto& digit : id) {
        digit = kHex[value & 0xf];
        value >>= 4;
    }
    return id;
}

StoreError schema_error(const std::filesystem::path& path, int version) {
    if (version > kSchemaVersion) {
        return make_error(StoreErrorKind::kSchema,
                          path.string() + ": made by a newer herald (schema " +
                              std::to_string(version) + ", this one knows " +
                              std::to_string(kSchemaVersion) + "); upgrade herald");
    }
    return make_error(StoreErrorKind::kSchema,
                      path.string() + ": schema " + std::to_string(version) +
                          " needs an upgrade; start heraldd once to migrate it");
}

void configure_writer(SQLite::Database& db) {
    // page_size only takes effect before the first table exists (a new file).
    db.exec("PRAGMA page_size = " + std::to_string(kPageSize));
    db.execAndGet("PRAGMA journal_mode = WAL");
    // FULL: a commit that carries events survives power loss before they are published.
    db.exec("PRAGMA synchronous = FULL");
    db.exec("PRAGMA foreign_keys = ON");
    // 4 MiB (256 pages): enough for the b-tree interiors that identity lookups walk; the leaves
    // a batch touches come from the OS page cache. 32 MiB was a third of heraldd's peak RSS
    // over 10,000 fresh feeds and bought no measurable store time (bench/e2e.sh).
    db.exec("PRAGMA cache_size = -4096");
}

// FTS5 merges its index segments as they pile up: by default once 4 of a size exist, so each
// term's entries are rewritten ~log4(N) times over a store's life. 16 halves that merge work
// (-12% CPU for heraldd's fresh poll of 10,000 feeds, bench/e2e.sh) for up to 16 segments per
// level for a query to read. Stored in the index's own config table, so set once.
constexpr int kFtsAutomerge = 16;

bool has_fts_settings(Store::Impl& impl) {
    auto& select = impl.statement("SELECT v FROM items_fts_config WHERE k = 'automerge'");
    bool done = select.executeStep() && select.getColumn(0).getInt() == kFtsAutomerge;
    select.reset();
    return done;
}

void apply_fts_settings(Store::Impl& impl) {
    auto& insert =
        impl.statement("INSERT INTO items_fts (items_fts, rank) VALUES ('automerge', ?)");
    insert.bind(1, kFtsAutomerge);
    insert.exec();
}

Result<std::unique_ptr<Store::Impl>> open_reader(const std::filesystem::path& path,
                                                 const OpenOptions& options) {
    std::error_code ignored;
    if (!std::filesystem::exists(path, ignored)) {
        return tl::unexpected(make_error(
            StoreErrorKind::kNotFound,
            path.string() + ": no store yet; start heraldd (or add a feed) to create it"));
    }
    auto impl = std::make_unique<Store::Impl>(path, options, SQLite::OPEN_READONLY);
    int version = schema_version(impl->db);
    if (version != kSchemaVersion) return tl::unexpected(schema_error(path, version));
    impl->search = has_search_index(impl->db);
    return impl;
}

// Whether the file already has this herald's schema, a store id and the search index as asked:
// then opening takes no write lock (the CLI opens a writer for each feed command).
bool is_ready(Store::Impl& impl, bool search) {
    if (schema_version(impl.db) != kSchemaVersion) return false;
    bool ready = has_search_index(impl.db) == search &&
                 impl.statement("SELECT 1 FROM meta WHERE key = 'store_id'").executeStep() &&
                 (!search || has_fts_settings(impl));
    impl.reset_all();
    return ready;
}

Result<std::unique_ptr<Store::Impl>> open_writer(const std::filesystem::path& path,
                                                 const OpenOptions& options) {
    auto impl =
        std::make_unique<Store::Impl>(path, options, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    configure_writer(impl->db);
    impl->search = options.search;
    if (is_ready(*impl, options.search)) return impl;
    WriteTransaction transaction(*impl);
    int version = schema_version(impl->db);
    if (version > kSchemaVersion) return tl::unexpected(schema_error(path, version));
    migrate(impl->db, kSchemaVersion);
    auto& select = impl->statement("SELECT value FROM meta WHERE key = 'store_id'");
    if (!select.executeStep()) {
        auto& insert = impl->statement("INSERT INTO meta (key, value) VALUES ('store_id', ?)");
        insert.bind(1, new_store_id());
        insert.exec();
    }
    impl->reset_all();  // DROP TABLE fails while a statement is still mid-row
    sync_search_index(impl->db, options.search);
    if (options.search && !has_fts_settings(*impl)) apply_fts_settings(*impl);
    transaction.commit();
    return impl;
}

}  // namespace
}  // namespace detail

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

Result<Store> Store::open(const std::filesystem::path& path, const OpenOptions& options) {
    try {
        auto impl = options.read_only ? detail::open_reader(path, options)
                                      : detail::open_writer(path, options);
        if (!impl) return tl::unexpected(impl.error());
        auto& select = (*impl)->statement("SELECT value FROM meta WHERE key = 'store_id'");
        if (!select.executeStep()) {
            return tl::unexpected(
                detail::make_error(StoreErrorKind::kCorrupt,
                                   path.string() + ": store id missing; not a herald store"));
        }
        (*impl)->store_id = select.getColumn(0).getString();
        (*impl)->reset_all();  // hold no read snapshot between calls
        return Store(std::move(*impl));
    } catch (const SQLite::Exception& e) {
        return tl::unexpected(detail::from_exception(path, e));
    }
}

const std::string& Store::store_id() const {
    return impl_->store_id;
}
const std::filesystem::path& Store::path() const {
    return impl_->path;
}

Result<SyncReport> Store::upsert_config_feeds(std::span<const FeedSpec> specs) {
    if (impl_->options.read_only) return tl::unexpected(impl_->requires_writer());
    return impl_->run([&]() -> Result<SyncReport> {
        detail::WriteTransaction transaction(*impl_);
        auto report = detail::sync_config_feeds(*impl_, specs);
        if (!report) return report;
        transaction.commit();
        return report;
    });
}

Result<FeedRecord> Store::add_feed(const FeedSpec& spec) {
    if (impl_->options.read_only) return tl::unexpected(impl_->requires_writer());
    return impl_->run([&]() -> Result<FeedRecord> {
        detail::WriteTransaction transaction(*impl_);
        auto id = detail::insert_cli_feed(*impl_, spec);
        if (!id) return tl::unexpected(id.error());
        transaction.commit();
        return get_feed(*id);
    });
}

Result<void> Store::remove_feed(std::string_view name_or_url) {
    if (impl_->options.read_only) return tl::unexpected(impl_->requires_writer());
    return impl_->run([&]() -> Result<void> {
        detail::WriteTransaction transaction(*impl_);
        auto feed = detail::load_feed(*impl_, name_or_url);
        if (!feed) return tl::unexpected(feed.error());
        detail::tombstone_feed(*impl_, feed->id);
        transaction.commit();
        return {};
    });
}

Result<FeedRecord> Store::find_feed(std::string_view name_or_url) {
    return impl_->run(
        [&]() -> Result<FeedRecord> { return detail::load_feed(*impl_, name_or_url); });
}

Result<FeedRecord> Store::get_feed(std::int64_t feed_id) {
    return impl_->run([&]() -> Result<FeedRecord> { return detail::load_feed(*impl_, feed_id); });
}

Result<std::vector<FeedRecord>> Store::list_feeds() {
    return impl_->run([&]() -> Result<std::vector<FeedRecord>> {
        return detail::load_feeds(*impl_, std::nullopt, 0);
    });
}

Result<std::vector<FeedRecord>> Store::due_feeds(Time now, std::size_t limit) {
    return impl_->run([&]() -> Result<std::vector<FeedRecord>> {
        return detail::load_feeds(*impl_, now, limit);
    });
}

Result<std::optional<Time>> Store::next_due() {
    return impl_->run([&]() -> Result<std::optional<Time>> {
        auto& select = impl_->statement(
            "SELECT min(max(coalesce(next_poll, 0), coalesce(retry_after, 0))) FROM feeds "
            "WHERE removed = 0 AND enabled = 1 AND status != 2");
        select.executeStep();
        return detail::opt_time(select.getColumn(0));
    });
}

Result<std::int64_t> Store::feeds_version() {
    return impl_->run(
        [&]() -> Result<std::int64_t> { return detail::read_meta_int(*impl_, "feeds_version"); });
}

Result<void> Store::set_next_poll(std::int64_t feed_id, std::optional<Time> next_poll) {
    if (impl_->options.read_only) return tl::unexpected(impl_->requires_writer());
    return impl_->run([&]() -> Result<void> {
        auto& update = impl_->statement("UPDATE feeds SET next_poll = ? WHERE id = ?");
        detail::bind_time(update, 1, next_poll);
        update.bind(2, feed_id);
        if (update.exec() == 0) {
            return tl::unexpected(detail::make_error(StoreErrorKind::kNotFound,
                                                     "no feed with id " + std::to_string(feed_id)));
        }
        return {};
    });
}

}  // namespace herald::store

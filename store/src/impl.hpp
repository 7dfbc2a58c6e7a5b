#pragma once
// Store::Impl: the connection, its options and a cache of prepared statements. Shared by the
// store_*.cpp files; nothing outside store/src sees it.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <herald/store.hpp>

#include "errors.hpp"
#include "payload.hpp"

namespace herald::store {

struct Store::Impl {
    Impl(std::filesystem::path file, const OpenOptions& opts, int flags)
        : path(std::move(file)),
          options(opts),
          db(path.string(), flags, static_cast<int>(opts.busy_timeout.count())) {}

    std::filesystem::path path;
    OpenOptions options;
    SQLite::Database db;
    std::string store_id;
    bool search = false;  // the FTS index exists and is kept in step

    // FTS5 writes wait here until the batch's last SAVEPOINT is released: FTS5 flushes its
    // in-memory terms to new index segments at every savepoint, which made search-on ingest
    // several times slower (bench/store_bench.cpp).
    struct FtsWrite {
        bool remove = false;
        std::int64_t rowid = 0;
        std::optional<std::string> title, summary, content;
    };
    std::vector<FtsWrite> pending_fts;

    // A prepared statement for `sql` (a string literal: its address is the key), reset and
    // unbound, ready to bind.
    SQLite::Statement& statement(const char* sql) {
        auto& slot = statements_[sql];
        if (!slot) {
            slot = std::make_unique<SQLite::Statement>(db, sql);
        } else {
            slot->reset();
            slot->clearBindings();
        }
        return *slot;
    }

    [[nodiscard]] StoreError error(const SQLite::Exception& e) const {
        return detail::from_exception(path, e);
    }

    [[nodiscard]] StoreError requires_writer() const {
        return detail::make_error(StoreErrorKind::kReadOnly,
                                  path.string() + ": store opened read-only; this needs a writer");
    }

    // Runs one public operation: SQLite exceptions become StoreError, and every cached
    // statement is reset afterwards, because a statement left mid-row keeps a read snapshot
    // open and this connection would stop seeing other connections' commits.
    template <typename F>
    auto run(F&& body) -> decltype(body()) {
        try {
            auto result = body();
            reset_all();
            return result;
        } catch (const SQLite::Exception& e) {
            reset_all();
            return tl::unexpected(error(e));
        }
    }

    void reset_all() noexcept {
        for (auto& [sql, statement] : statements_) statement->tryReset();
    }

    std::unordered_map<const char*, std::unique_ptr<SQLite::Statement>> statements_;
};

namespace detail {

// BEGIN IMMEDIATE ... COMMIT; rolls back in the destructor unless committed (never throws).
class WriteTransaction {
public:
    explicit WriteTransaction(Store::Impl& impl) : impl_(impl) { impl_.db.exec("BEGIN IMMEDIATE"); }
    WriteTransaction(const WriteTransaction&) = delete;
    WriteTransaction& operator=(const WriteTransaction&) = delete;
    ~WriteTransaction() {
        if (!done_) impl_.db.tryExec("ROLLBACK");
    }
    void commit() {
        // A statement left mid-row keeps a read transaction open past COMMIT, and then the
        // automatic WAL checkpoint silently does nothing: the WAL would grow without bound
        // (store_test WalIsCheckpointedWhileWriting).
        impl_.reset_all();
        impl_.db.exec("COMMIT");
        done_ = true;
    }

private:
    Store::Impl& impl_;
    bool done_ = false;
};

// Reads of optional columns.
inline std::optional<std::string> opt_text(const SQLite::Column& column) {
    if (column.isNull()) return std::nullopt;
    return column.getString();
}
inline std::optional<std::int64_t> opt_int(const SQLite::Column& column) {
    if (column.isNull()) return std::nullopt;
    return column.getInt64();
}
inline std::optional<Time> opt_time(const SQLite::Column& column) {
    if (column.isNull()) return std::nullopt;
    return Time(std::chrono::seconds(column.getInt64()));
}

template <typename T>
void bind_opt(SQLite::Statement& statement, int index, const std::optional<T>& value) {
    if (value) {
        statement.bind(index, *value);
    } else {
        statement.bind(index);
    }
}
inline void bind_time(SQLite::Statement& statement, int index, const std::optional<Time>& value) {
    if (value) {
        statement.bind(index, static_cast<std::int64_t>(value->time_since_epoch().count()));
    } else {
        statement.bind(index);
    }
}

std::int64_t read_meta_int(Store::Impl& impl, const char* key);
void write_meta_int(Store::Impl& impl, const char* key, std::int64_t value);
void bump_feeds_version(Store::Impl& impl);

// The columns of a body, in schema order, after `prefix` columns: read and bind helpers.
inline constexpr const char* kBodyColumns =
    "published, updated, guid, title, link, author, categories, enclosures, summary, content";
Body read_body(SQLite::Statement& statement, int first_column);

// Writes Impl::pending_fts in order (external-content FTS5: a delete repeats the old values).
void flush_fts(Store::Impl& impl);
void bind_body(SQLite::Statement& statement, int first_index, const Body& body);

}  // namespace detail
}  // namespace herald::store

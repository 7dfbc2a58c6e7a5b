#include "errors.hpp"

#include <string>

#include <sqlite3.h>

namespace herald::store {

std::string_view error_kind_name(StoreErrorKind kind) {
    switch (kind) {
        case StoreErrorKind::kBusy:
            return "busy";
        case StoreErrorKind::kCorrupt:
            return "corrupt";
        case StoreErrorKind::kReadOnly:
            return "read-only";
        case StoreErrorKind::kFull:
            return "full";
        case StoreErrorKind::kNotFound:
            return "not found";
        case StoreErrorKind::kConflict:
            return "conflict";
        case StoreErrorKind::kPruned:
            return "pruned";
        case StoreErrorKind::kSchema:
            return "schema";
        case StoreErrorKind::kInvalid:
            return "invalid";
        case StoreErrorKind::kIo:
            return "io";
    }
    return "io";
}

namespace detail {

StoreError make_error(StoreErrorKind kind, std::string message) {
    return StoreError{kind, 0, std::move(message), 0};
}

StoreError from_sqlite(const std::filesystem::path& path, int extended_code,
                       std::string_view detail) {
    const std::string file = path.string();
    const std::string what = std::string(detail);
    switch (extended_code & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return {StoreErrorKind::kBusy, extended_code,
                    file + ": database is locked by another writer (" + what +
                        "); retry, and check that only one heraldd uses this state directory",
                    0};
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
            return {StoreErrorKind::kCorrupt, extended_code,
                    file + ": database is corrupt or not a herald store (" + what +
                        "); restore a backup or move the file away to start a new store",
                    0};
        case SQLITE_READONLY:
        case SQLITE_PERM:
        case SQLITE_AUTH:
            return {StoreErrorKind::kReadOnly, extended_code,
                    file + ": database is read-only (" + what +
                        "); check the permissions of the file and its directory",
                    0};
        case SQLITE_FULL:
            return {StoreErrorKind::kFull, extended_code,
                    file + ": disk full (" + what + "); free space, nothing was lost", 0};
        case SQLITE_CANTOPEN:
            return {StoreErrorKind::kIo, extended_code,
                    file + ": cannot open database (" + what +
                        "); check that the directory exists and is accessible",
                    0};
        case SQLITE_CONSTRAINT:
            return {StoreErrorKind::kConflict, extended_code, file + ": " + what, 0};
        default:
            return {StoreErrorKind::kIo, extended_code, file + ": " + what, 0};
    }
}

StoreError from_exception(const std::filesystem::path& path, const SQLite::Exception& e) {
    int code = e.getExtendedErrorCode();
    if (code < 0) code = e.getErrorCode();  // SQLiteCpp's own failures carry -1
    return from_sqlite(path, code < 0 ? SQLITE_ERROR : code, e.what());
}

}  // namespace detail
}  // namespace herald::store

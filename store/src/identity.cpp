#include "identity.hpp"

#include <bit>
#include <cstring>
#include <unordered_set>

namespace herald::store::detail {
namespace {

constexpr std::uint64_t kFnvPrime = 1099511628211ull;

std::int64_t as_signed(std::uint64_t value) {
    return static_cast<std::int64_t>(value);
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

constexpr std::uint64_t kWordMultiplier = 0x9fb21c651e98df25ull;

// Little-endian load of up to 8 bytes.
std::uint64_t load_le(const char* bytes, std::size_t count) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < count; ++i) {
        value |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
    }
    return value;
}

// Collects the normalised byte stream eight bytes at a time and mixes each full word once:
// this runs for every new or changed item, so it must not multiply per byte.
class StreamHash {
public:
    explicit StreamHash(std::uint64_t seed) : hash_(seed) {}
    void push(unsigned char byte) {
        word_ |= std::uint64_t{byte} << shift_;
        shift_ += 8;
        if (shift_ == 64) flush_word();
    }
    std::uint64_t finish() {
        hash_ ^= std::uint64_t{shift_} << 56;  // how many bytes the last word held
        flush_word();
        return hash_;
    }

private:
    void flush_word() {
        hash_ = (hash_ ^ word_) * kWordMultiplier;
        hash_ ^= hash_ >> 29;
        word_ = 0;
        shift_ = 0;
    }
    std::uint64_t hash_;
    std::uint64_t word_ = 0;
    unsigned shift_ = 0;
};

// The field with whitespace runs collapsed to one space and trimmed.
std::uint64_t mix_normalised(std::uint64_t hash, const std::optional<std::string>& field) {
    hash = (hash ^ (field ? 0x01u : 0x00u)) * kFnvPrime;
    if (!field) return hash;
    StreamHash stream(hash);
    bool pending_space = false;
    for (char c : trimmed(*field)) {
        if (is_space(c)) {
            pending_space = true;
            continue;
        }
        if (pending_space) stream.push(' ');
        pending_space = false;
        stream.push(static_cast<unsigned char>(c));
    }
    return (stream.finish() ^ 0x1fu) * kFnvPrime;
}

// Eight bytes per step; the same value on every machine (bytes read little-endian).
std::uint64_t fast_hash(std::string_view bytes, std::uint64_t seed) {
    std::uint64_t hash = seed ^ (std::uint64_t{bytes.size()} * kWordMultiplier);
    while (bytes.size() >= 8) {
        std::uint64_t word = 0;
        if constexpr (std::endian::native == std::endian::little) {
            std::memcpy(&word, bytes.data(), 8);
        } else {
            word = load_le(bytes.data(), 8);
        }
        hash = (hash ^ word) * kWordMultiplier;
        hash ^= hash >> 29;
        bytes.remove_prefix(8);
    }
    hash = (hash ^ load_le(bytes.data(), bytes.size())) * kWordMultiplier;
    return hash ^ (hash >> 29);
}

std::uint64_t mix_raw(std::uint64_t hash, const std::optional<std::string>& field) {
    hash = (hash ^ (field ? 0x02u : 0x01u)) * kWordMultiplier;
    return field ? fast_hash(*field, hash) : hash;
}

std::optional<std::string_view> usable(const std::optional<std::string>& field) {
    if (!field) return std::nullopt;
    auto text = trimmed(*field);
    if (text.empty()) return std::nullopt;
    return text;
}

// Counts keys that cannot tell items apart: missing, blank or seen before in this fetch.
std::size_t unusable_keys(std::span<const parser::Item> items, KeyRule rule) {
    std::unordered_set<std::int64_t> seen;
    std::size_t bad = 0;
    for (const auto& item : items) {
        auto key = key_for(item, rule);
        if (!key || !seen.insert(*key).second) ++bad;
    }
    return bad;
}

}  // namespace

std::uint64_t stable_hash(std::string_view bytes, std::uint64_t seed) {
    std::uint64_t hash = seed;
    for (char c : bytes) hash = (hash ^ static_cast<unsigned char>(c)) * kFnvPrime;
    return hash;
}

std::optional<std::int64_t> guid_key(const parser::Item& item) {
    auto id = usable(item.id);
    if (!id) return std::nullopt;
    return as_signed(stable_hash(*id, stable_hash("guid\x1f")));
}

std::optional<std::int64_t> link_key(const parser::Item& item) {
    auto link = usable(item.link);
    if (!link) return std::nullopt;
    return as_signed(stable_hash(*link, stable_hash("link\x1f")));
}

std::int64_t content_key(const parser::Item& item) {
    std::uint64_t hash = stable_hash("hash\x1f");
    hash = mix_raw(hash, item.title);
    auto date = item.published ? item.published : item.updated;
    hash = (hash ^ static_cast<std::uint64_t>(date ? date->time_since_epoch().count() : -1)) *
           kWordMultiplier;
    hash = mix_raw(hash, item.content ? item.content : item.summary);
    return as_signed(hash);
}

std::optional<std::int64_t> key_for(const parser::Item& item, KeyRule rule) {
    switch (rule) {
        case KeyRule::kGuid:
            return guid_key(item);
        case KeyRule::kLink:
            return link_key(item);
        case KeyRule::kHash:
            return content_key(item);
    }
    return std::nullopt;
}

IdentityKey identity_key(const parser::Item& item, KeyRule rule) {
    if (rule == KeyRule::kGuid) {
        if (auto id = usable(item.id)) {
            IdentityKey key{std::nullopt, *guid_key(item)};
            if (id->size() <= kMaxTextKey) key.text = std::string(*id);
            return key;
        }
    }
    if (rule != KeyRule::kHash) {
        if (auto link = link_key(item)) return IdentityKey{std::nullopt, *link};
    }
    return IdentityKey{std::nullopt, content_key(item)};
}

KeyRule choose_rule(std::span<const parser::Item> items, KeyRule current) {
    KeyRule rule = current;
    while (rule != KeyRule::kHash && !items.empty()) {
        std::size_t bad = unusable_keys(items, rule);
        if (bad * kDegradedOneIn <= items.size()) break;
        rule = static_cast<KeyRule>(static_cast<int>(rule) + 1);
    }
    return rule;
}

std::int64_t raw_hash(const parser::Item& item) {
    std::uint64_t hash = stable_hash("raw\x1f");
    for (const auto* field : {&item.title, &item.link, &item.summary, &item.content}) {
        hash = mix_raw(hash, *field);
    }
    return as_signed(hash);
}

std::int64_t normalised_hash(const parser::Item& item) {
    std::uint64_t hash = stable_hash("norm\x1f");
    for (const auto* field : {&item.title, &item.link, &item.summary, &item.content}) {
        hash = mix_normalised(hash, *field);
    }
    return as_signed(hash);
}

}  // namespace herald::store::detail

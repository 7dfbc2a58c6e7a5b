// Past one machine (docs/scaling.md), simulated on loopback: feeds assigned to shards by a
// consistent hash of their URL, three heraldd shards with their own stores, one herald-proxy
// merging their PUB streams, and a subscriber on the proxy that keeps one cursor per store id
// and replays from that shard's control endpoint. It must see every shard's items exactly once.
#include <csignal>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "daemon_harness.hpp"
#include "http_server.hpp"

namespace herald::test {
namespace {

using namespace std::chrono_literals;

// ---- the consistent-hash ring of docs/scaling.md ----

// FNV-1a, 64-bit, then murmur3's 64-bit finaliser: stable across builds and machines
// (std::hash is not), so every process that assigns feeds agrees. FNV-1a alone leaves the high
// bits of short, similar strings ("shard-0#1", "shard-0#2") clustered: the ring gave one of
// three shards 67 % of the feeds until the finaliser spread them.
std::uint64_t ring_hash(std::string_view text) {
    std::uint64_t hash = 14695981039346656037ULL;
    for (unsigned char c : text) {
        hash ^= c;
        hash *= 1099511628211ULL;
    }
    hash ^= hash >> 33;
    hash *= 0xff51afd7ed558ccdULL;
    hash ^= hash >> 33;
    hash *= 0xc4ceb9fe1a85ec53ULL;
    hash ^= hash >> 33;
    return hash;
}

// Each shard owns kVirtualNodes points on the ring; a URL belongs to the first point at or after
// its hash (wrapping). Adding a shard takes over only the arcs in front of its new points.
class HashRing {
public:
    static constexpr int kVirtualNodes = 128;

    void add_shard(int shard) {
        for (int node = 0; node < kVirtualNodes; ++node) {
            points_[ring_hash("shard-" + std::to_string(shard) + "#" + std::to_string(node))] =
                shard;
        }
    }
    [[nodiscard]] int shard_for(std::string_view url) const {
        auto found = points_.lower_bound(ring_hash(url));
        return found == points_.end() ? points_.begin()->second : found->second;
    }

private:
    std::map<std::uint64_t, int> points_;
};

std::string per_share(const std::map<int, int>& per_shard) {
    std::string text;
    for (const auto& [shard, count] : per_shard) {
        text += (text.empty() ? "" : " / ") + std::to_string(count);
    }
    return text;
}

TEST(ConsistentHash, SpreadsFeedsAndAFourthShardMovesOnlyItsShare) {
    HashRing ring;
    for (int shard = 0; shard < 3; ++shard) ring.add_shard(shard);
    constexpr int kUrls = 30'000;
    std::vector<int> before(kUrls);
    std::map<int, int> per_shard;
    for (int i = 0; i < kUrls; ++i) {
        before[i] = ring.shard_for("https://site" + std::to_string(i) + ".example/feed.xml");
        ++per_shard[before[i]];
    }
    for (const auto& [shard, count] : per_shard) {
        EXPECT_GT(count, kUrls / 4) << "shard " << shard;  // a third each, give or take
        EXPECT_LT(count, kUrls * 5 / 12) << "shard " << shard;
    }
    ring.add_shard(3);
    int moved = 0;
    for (int i = 0; i < kUrls; ++i) {
        const int now = ring.shard_for("https://site" + std::to_string(i) + ".example/feed.xml");
        if (now == before[i]) continue;
        ++moved;
        EXPECT_EQ(now, 3) << "a feed moved between two old shards";
    }
    std::cerr << "ring: " << per_share(per_shard) << " of " << kUrls << "; a 4th shard takes "
              << moved << "\n";
    // About a quarter moves (to the new shard only); a modulo hash would move three quarters.
    EXPECT_GT(moved, kUrls / 6);
    EXPECT_LT(moved, kUrls / 3);
}

// ---- a subscriber that follows several stores through one bus ----

// The replay rules of docs/protocol.md, kept per store id: a cursor per store, and replay from
// the control endpoint of the shard that owns that store.
class ShardFollower {
public:
    ShardFollower(zmq::context_t& context, std::map<std::string, std::string> control_by_store)
        : context_(context), control_by_store_(std::move(control_by_store)) {
        for (const auto& [store, control] : control_by_store_) position_[store] = 0;
    }

    void on_live(const ReceivedEvent& event) {
        const std::string store = event.json.value("store", "");
        if (!control_by_store_.contains(store)) {
            ADD_FAILURE() << "an event of an unknown store: " << event.payload;
            return;
        }
        if (event.topic == "heartbeat/") {
            if (event.json.value("last_seq", std::int64_t{0}) > position_[store]) replay(store);
            return;
        }
        const auto seq = event.json.value("seq", std::int64_t{-1});
        if (seq <= position_[store]) return;  // already handled (replay and live overlap)
        if (seq > position_[store] + 1) {
            replay(store);  // a gap: the replay includes this event
            return;
        }
        handle(event.json);
    }

    void replay(const std::string& store) {
        ++replays_;
        // Bounded: each page moves the position or ends the loop.
        for (int page = 0; page < 1000; ++page) {
            const std::string request =
                R"({"op":"replay","limit":1000,"after":)" + std::to_string(position_[store]) + "}";
            auto reply = control_request(context_, control_by_store_.at(store), request);
            ASSERT_TRUE(reply && (*reply)["ok"] == true) << "replay failed on store " << store;
            const auto& events = (*reply)["events"];
            if (events.empty()) return;
            for (const auto& payload : events) {
                ASSERT_EQ(payload.value("store", ""), store) << "a shard answered for another";
                ASSERT_EQ(payload.value("seq", std::int64_t{-1}), position_[store] + 1);
                handle(payload);
            }
        }
    }

    [[nodiscard]] const std::vector<nlohmann::json>& handled() const { return handled_; }
    [[nodiscard]] std::int64_t position(const std::string& store) const {
        return position_.at(store);
    }
    [[nodiscard]] int replays() const { return replays_; }

private:
    void handle(const nlohmann::json& payload) {
        position_[payload["store"].get<std::string>()] = payload["seq"].get<std::int64_t>();
        handled_.push_back(payload);
    }

    zmq::context_t& context_;
    std::map<std::string, std::string> control_by_store_;
    std::map<std::string, std::int64_t> position_;
    std::vector<nlohmann::json> handled_;
    int replays_ = 0;
};

// ---- feeds on the loopback test server, growing on demand ----

class FeedSite {
public:
    explicit FeedSite(HttpServer& server) : server_(server) {}

    std::string add_feed(const std::string& path) {
        server_.handle(path, [this, path](const RecordedRequest&) {
            const std::lock_guard lock(mutex_);
            return Response::ok(rss_document("feed " + path, items_[path]));
        });
        return server_.url(path);
    }
    // Appends `count` items to the feed at `path`; returns their guids.
    std::vector<std::string> grow(const std::string& path, int count) {
        const std::lock_guard lock(mutex_);
        std::vector<std::string> guids;
        auto& items = items_[path];
        for (int i = 0; i < count; ++i) {
            const std::string guid = path.substr(1) + "-" + std::to_string(items.size());
            items.push_back({guid, "title " + guid, "body of " + guid});
            guids.push_back(guid);
        }
        return guids;
    }

private:
    HttpServer& server_;
    std::mutex mutex_;
    std::map<std::string, std::vector<TestItem>> items_;
};

constexpr int kShards = 3;
constexpr int kItemsPerRound = 4;

struct Shard {
    std::unique_ptr<DaemonHome> home = std::make_unique<DaemonHome>();
    std::vector<std::string> paths;
    std::vector<std::string> urls;
    std::optional<Process> daemon;
    std::string store;
};

std::filesystem::path proxy_path() {
    return program_path("herald-proxy");
}

TEST(Scaling, ThreeShardsThroughOneProxyDeliverEveryItemOnce) {
    HttpServer server;
    FeedSite site(server);
    HashRing ring;
    for (int shard = 0; shard < kShards; ++shard) ring.add_shard(shard);
    std::vector<Shard> shards(kShards);
    // Feeds go where the ring says; at least three per shard so every shard has work.
    const auto enough = [&] {
        for (const auto& shard : shards) {
            if (shard.paths.size() < 3) return false;
        }
        return true;
    };
    for (int i = 0; i < 300 && !enough(); ++i) {
        const std::string path = "/f" + std::to_string(i) + ".xml";
        const std::string url = site.add_feed(path);
        Shard& shard = shards[static_cast<std::size_t>(ring.shard_for(url))];
        shard.paths.push_back(path);
        shard.urls.push_back(url);
    }
    ASSERT_TRUE(enough());

    std::set<std::string> expected;  // every guid served, over both rounds
    std::set<std::string> second_round;
    for (auto& shard : shards) {
        for (const auto& path : shard.paths) {
            for (auto& guid : site.grow(path, kItemsPerRound)) expected.insert(guid);
        }
    }
    zmq::context_t context;
    for (auto& shard : shards) {
        shard.home->write_config(shard.urls);
        shard.daemon.emplace(shard.home->start_ready(context));
        auto status =
            control_request(context, shard.home->control_endpoint(), R"({"op":"status"})");
        ASSERT_TRUE(status && (*status)["ok"] == true);
        shard.store = (*status)["store"].get<std::string>();
    }

    TempDir bus_dir("hp");
    const std::string bus = "ipc://" + (bus_dir / "bus").string();
    std::vector<std::string> proxy_args{"--to", bus};
    for (const auto& shard : shards) {
        proxy_args.push_back("--from");
        proxy_args.push_back(shard.home->events_endpoint());
    }
    Process proxy = Process::start(proxy_path(), proxy_args);

    // 1. Subscribe first: a heartbeat of every store through the proxy proves the subscription
    // reached each shard.
    Subscriber subscriber(context, bus);
    std::vector<ReceivedEvent> live;
    std::map<std::string, std::string> control_by_store;
    for (const auto& shard : shards) control_by_store[shard.store] = shard.home->control_endpoint();
    ASSERT_EQ(control_by_store.size(), static_cast<std::size_t>(kShards)) << "store ids collide";
    const bool all_heard = subscriber.collect(
        live,
        [&](const std::vector<ReceivedEvent>& events) {
            std::set<std::string> stores;
            for (const auto& event : events) {
                if (event.topic == "heartbeat/") stores.insert(event.json.value("store", ""));
            }
            return stores.size() == static_cast<std::size_t>(kShards);
        },
        10s);
    ASSERT_TRUE(all_heard) << "no heartbeat from every shard through the proxy; proxy stderr: "
                           << proxy.stderr_text();

    // 2. Replay each store from 0 (the first round may have been published before we joined).
    ShardFollower follower(context, control_by_store);
    for (const auto& [store, control] : control_by_store) follower.replay(store);
    for (const auto& event : live) follower.on_live(event);

    // 3. A second round while we listen: it must come live through the proxy.
    for (auto& shard : shards) {
        for (const auto& path : shard.paths) {
            for (auto& guid : site.grow(path, kItemsPerRound)) {
                expected.insert(guid);
                second_round.insert(guid);
            }
        }
        ASSERT_TRUE(
            control_request(context, shard.home->control_endpoint(), R"({"op":"refresh"})"));
    }
    const std::size_t live_before = live.size();
    const auto handled_guids = [&] {
        std::set<std::string> guids;
        for (const auto& payload : follower.handled()) {
            if (payload.contains("item")) guids.insert(payload["item"].value("guid", ""));
        }
        return guids;
    };
    const bool complete = wait_until(
        [&] {
            for (auto& event : subscriber.receive(50ms)) {
                follower.on_live(event);
                live.push_back(std::move(event));
            }
            return handled_guids() == expected;
        },
        20s, 0ms);
    ASSERT_TRUE(complete) << "handled " << handled_guids().size() << " of " << expected.size();

    // Every item exactly once, and per store the seqs 1..N without a hole.
    std::map<std::string, int> times_seen;
    std::map<std::string, std::vector<std::int64_t>> seqs_by_store;
    for (const auto& payload : follower.handled()) {
        seqs_by_store[payload["store"]].push_back(payload["seq"].get<std::int64_t>());
        if (payload.contains("item")) ++times_seen[payload["item"].value("guid", "")];
    }
    for (const auto& [guid, times] : times_seen) EXPECT_EQ(times, 1) << guid;
    for (const auto& shard : shards) {
        const auto& seqs = seqs_by_store[shard.store];
        ASSERT_FALSE(seqs.empty()) << "nothing from store " << shard.store;
        for (std::size_t i = 0; i < seqs.size(); ++i) {
            ASSERT_EQ(seqs[i], static_cast<std::int64_t>(i) + 1) << "store " << shard.store;
        }
    }
    // The second round came through the proxy live, once per (store, seq): the proxy neither
    // lost nor duplicated anything on an idle bus.
    std::map<std::pair<std::string, std::int64_t>, int> live_copies;
    std::set<std::string> second_round_live;
    for (std::size_t i = live_before; i < live.size(); ++i) {
        if (live[i].topic == "heartbeat/") continue;
        ++live_copies[{live[i].json.value("store", ""),
                       live[i].json.value("seq", std::int64_t{0})}];
        if (live[i].json.contains("item")) {
            second_round_live.insert(live[i].json["item"].value("guid", ""));
        }
    }
    for (const auto& [key, copies] : live_copies) EXPECT_EQ(copies, 1) << key.first << key.second;
    EXPECT_EQ(second_round_live, second_round);

    std::cerr << "shards' feeds:";
    for (const auto& shard : shards) std::cerr << " " << shard.paths.size();
    std::cerr << "; items " << expected.size() << ", events handled " << follower.handled().size()
              << ", replays " << follower.replays() << "\n";

    proxy.signal(SIGTERM);
    EXPECT_EQ(proxy.wait(5s), 0) << proxy.stderr_text();
    for (auto& shard : shards) {
        shard.daemon->signal(SIGTERM);
        EXPECT_EQ(shard.daemon->wait(5s), 0);
    }
}

TEST(HeraldProxy, BadArgumentsAndUnbindableEndpointsFailWithOneLine) {
    Process no_to = Process::start(proxy_path(), {"--from", "ipc:///tmp/x"});
    EXPECT_EQ(no_to.wait(5s), 2);
    EXPECT_NE(no_to.stderr_text().find("--to"), std::string::npos) << no_to.stderr_text();

    Process bad = Process::start(proxy_path(), {"--from", "ipc:///tmp/x", "--to", "bogus://x"});
    EXPECT_EQ(bad.wait(5s), 1);
    EXPECT_EQ(bad.last_stderr_line().rfind("herald-proxy: cannot bind bogus://x", 0), 0u)
        << bad.stderr_text();
}

}  // namespace
}  // namespace herald::test

// The group state of the JIT engine's window rules: the open-addressing slot map against a
// std::map model under heavy churn (groups come and go, as in many-key streams), its memory
// bound and entry reuse with forgotten entries left in place, and the group table's key shapes:
// one scalar (floats canonical), one string, several keys, nulls.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

#include "runtime/state/bytes_slot_map.h"
#include "runtime/state/group_table.h"
#include "runtime/state/int64_slot_map.h"

namespace alert {
namespace {

TEST(Int64SlotMap, AgreesWithAMapUnderInsertsAndErasesBySlot) {
  Int64SlotMap map;
  std::map<int64_t, uint32_t> model;
  std::map<uint32_t, int64_t> key_of_slot;
  std::vector<uint32_t> free_slots;
  uint32_t next_slot = 0;
  std::mt19937_64 rng(11);
  const int64_t edges[] = {0, -1, INT64_MIN, INT64_MAX, 1LL << 62};
  for (int step = 0; step < 200'000; ++step) {
    // Keys from a range a few times the live set, so keys come back after being erased.
    int64_t key = step % 50 == 0 ? edges[rng() % 5] : static_cast<int64_t>(rng() % 3000) * 7919;
    auto it = model.find(key);
    ASSERT_EQ(map.find(key), it == model.end() ? Int64SlotMap::kNone : it->second) << "step " << step;
    if (it == model.end() && model.size() < 1000) {
      uint32_t slot = free_slots.empty() ? next_slot++ : free_slots.back();
      if (!free_slots.empty()) free_slots.pop_back();
      map.insert(key, slot);
      model[key] = slot;
      key_of_slot[slot] = key;
    } else if (it != model.end() && rng() % 2) {
      map.erase_slot(it->second);
      free_slots.push_back(it->second);
      key_of_slot.erase(it->second);
      model.erase(it);
    }
    ASSERT_EQ(map.size(), model.size());
  }
  for (const auto& [key, slot] : model) EXPECT_EQ(map.find(key), slot);
  EXPECT_EQ(map.find(123456789), Int64SlotMap::kNone);
}

// Forgotten entries stay in the table until a rebuild: with keys that never come back (order
// ids), the table must still stay within a fixed multiple of the live groups, and every
// forgotten key must read as absent.
TEST(Int64SlotMap, NewKeysForeverKeepTheTableBoundedByTheLiveGroups) {
  Int64SlotMap map;
  constexpr uint32_t kLive = 5000;
  size_t largest = 0;
  for (int64_t key = 0; key < 400'000; ++key) {
    uint32_t slot = static_cast<uint32_t>(key % kLive);  // the group kLive keys ago held it
    if (key >= kLive) map.erase_slot(slot);
    map.insert(key * 31, slot);
    largest = std::max(largest, map.capacity());
    ASSERT_LE(map.occupied() * 2, map.capacity()) << "key " << key;
  }
  EXPECT_EQ(map.size(), kLive);
  // Rebuilt with the live ones at most an eighth: 8 * 5001 rounds up to 65536.
  EXPECT_LE(largest, 65536u);
  for (int64_t key = 400'000 - kLive; key < 400'000; ++key) EXPECT_EQ(map.find(key * 31), key % kLive);
  for (int64_t key = 0; key < 400'000 - kLive; key += 997) EXPECT_EQ(map.find(key * 31), Int64SlotMap::kNone);
}

// A key that comes back after its group was forgotten takes its old entry again: a recurring
// key space (SKUs, cards) never grows the table past its distinct keys, and the old slot, now
// another group's, is never returned for it.
TEST(Int64SlotMap, AReturningKeyReusesItsEntryAndNotItsOldSlot) {
  Int64SlotMap map;
  for (uint32_t s = 0; s < 100; ++s) map.insert(s, s);
  size_t occupied = map.occupied();
  for (int round = 0; round < 50; ++round) {
    for (uint32_t s = 0; s < 100; ++s) map.erase_slot(s);
    // Every slot goes to another key of the same set: key k now holds slot (k + round + 1) % 100.
    for (int64_t k = 0; k < 100; ++k) {
      ASSERT_EQ(map.find(k), Int64SlotMap::kNone) << "round " << round << " key " << k;
      map.insert(k, static_cast<uint32_t>((k + round + 1) % 100));
    }
    for (int64_t k = 0; k < 100; ++k) ASSERT_EQ(map.find(k), static_cast<uint32_t>((k + round + 1) % 100));
    EXPECT_EQ(map.occupied(), occupied);
  }
}

ValueColumn int_column(const std::vector<int64_t>& values, const std::vector<uint8_t>& valid) {
  return ValueColumn{TypeKind::Int, valid.data(), values.data(), nullptr, nullptr};
}

TEST(GroupTable, OneIntKeyWithANullGroup) {
  std::vector<int64_t> v{5, 7, 5, 0};
  std::vector<uint8_t> ok{1, 1, 1, 0};
  std::vector<ValueColumn> keys{int_column(v, ok)};
  GroupTable table({TypeKind::Int});
  EXPECT_EQ(table.find(keys, 0), GroupTable::kNone);
  table.insert(keys, 0, 0);
  table.insert(keys, 1, 1);
  EXPECT_EQ(table.find(keys, 2), 0u);  // 5 again
  EXPECT_EQ(table.find(keys, 3), GroupTable::kNone);
  table.insert(keys, 3, 2);  // the null key is a group of its own
  EXPECT_EQ(table.find(keys, 3), 2u);
  EXPECT_EQ(table.null_slot(), 2u);
  ASSERT_NE(table.scalar_map(), nullptr);
  table.erase(0);
  EXPECT_EQ(table.find(keys, 2), GroupTable::kNone);
  table.erase(2);
  EXPECT_EQ(table.find(keys, 3), GroupTable::kNone);
  EXPECT_EQ(table.find(keys, 1), 1u);
}

TEST(GroupTable, FloatKeysAreCanonicalButKeepTheirValue) {
  std::vector<double> v{0.0, -0.0, NAN, -NAN, 1.5};
  std::vector<uint8_t> ok(5, 1);
  std::vector<ValueColumn> keys{ValueColumn{TypeKind::Float, ok.data(), nullptr, v.data(), nullptr}};
  GroupTable table({TypeKind::Float});
  table.insert(keys, 0, 0);
  table.insert(keys, 2, 1);
  EXPECT_EQ(table.find(keys, 1), 0u);  // -0.0 is 0.0
  EXPECT_EQ(table.find(keys, 3), 1u);  // every NaN is one NaN
  EXPECT_EQ(table.find(keys, 4), GroupTable::kNone);
  std::vector<Value> key;
  GroupTable::key_values(keys, 1, key);
  ASSERT_EQ(key.size(), 1u);
  EXPECT_TRUE(std::signbit(key[0].f));  // alerts show the row's own value
}

TEST(GroupTable, StringAndCompositeKeys) {
  AlertString s[] = {{"EU", 2}, {"US", 2}, {"EU", 2}, {"", 0}};
  std::vector<uint8_t> ok{1, 1, 1, 0};
  std::vector<int64_t> n{1, 1, 2, 1};
  std::vector<uint8_t> all(4, 1);
  ValueColumn region{TypeKind::String, ok.data(), nullptr, nullptr, s};
  GroupTable one({TypeKind::String});
  std::vector<ValueColumn> k1{region};
  one.insert(k1, 0, 0);
  EXPECT_EQ(one.find(k1, 2), 0u);
  EXPECT_EQ(one.find(k1, 1), GroupTable::kNone);
  EXPECT_EQ(one.find(k1, 3), GroupTable::kNone);  // null, not ""
  one.insert(k1, 3, 1);
  EXPECT_EQ(one.find(k1, 3), 1u);
  std::vector<Value> key;
  ASSERT_TRUE(one.keeps_keys());
  one.key_of(0, key);
  EXPECT_EQ(key[0].s, "EU");
  one.erase(0);
  EXPECT_EQ(one.find(k1, 2), GroupTable::kNone);
  // "EU" comes back in another slot; slot 0 goes to "US": each key finds its own.
  one.insert(k1, 2, 2);
  one.insert(k1, 1, 0);
  EXPECT_EQ(one.find(k1, 0), 2u);
  EXPECT_EQ(one.find(k1, 1), 0u);
  one.key_of(0, key);
  EXPECT_EQ(key[0].s, "US");
  one.key_of(1, key);
  EXPECT_EQ(key[0].kind, TypeKind::Null);

  GroupTable two({TypeKind::String, TypeKind::Int});
  std::vector<ValueColumn> k2{region, int_column(n, all)};
  two.insert(k2, 0, 0);                            // (EU, 1)
  EXPECT_EQ(two.find(k2, 2), GroupTable::kNone);   // (EU, 2)
  two.insert(k2, 3, 1);                            // (null, 1)
  EXPECT_EQ(two.find(k2, 3), 1u);
  // The table keeps composite keys without floats and gives them back as they came.
  ASSERT_TRUE(two.keeps_keys());
  two.key_of(1, key);
  ASSERT_EQ(key.size(), 2u);
  EXPECT_EQ(key[0].kind, TypeKind::Null);
  EXPECT_EQ(key[1].kind, TypeKind::Int);
  EXPECT_EQ(key[1].i, 1);
  two.erase(0);
  EXPECT_EQ(two.find(k2, 0), GroupTable::kNone);
  EXPECT_EQ(two.find(k2, 3), 1u);
  EXPECT_FALSE(GroupTable({TypeKind::String, TypeKind::Float}).keeps_keys());
}

// Every kind a composite key can hold, read back from the table's bytes as it went in: the
// alerts' `group` object and the keys `having` reads come from here.
TEST(GroupTable, CompositeKeysReadBackAsTheyCame) {
  AlertString s[] = {{"", 0}, {"a,b:c", 5}, {"x", 1}};
  std::vector<uint8_t> all(3, 1), some{1, 0, 1};
  std::vector<int64_t> ts{INT64_MIN, 0, 1'767'225'600'000'000'000};
  std::vector<int64_t> dur{-5, 90'000'000'000, INT64_MAX};
  std::vector<int64_t> flags{0, 1, 1};
  std::vector<ValueColumn> keys{
      ValueColumn{TypeKind::String, all.data(), nullptr, nullptr, s},
      ValueColumn{TypeKind::Timestamp, some.data(), ts.data(), nullptr, nullptr},
      ValueColumn{TypeKind::Duration, all.data(), dur.data(), nullptr, nullptr},
      ValueColumn{TypeKind::Bool, some.data(), flags.data(), nullptr, nullptr},
  };
  GroupTable table({TypeKind::String, TypeKind::Timestamp, TypeKind::Duration, TypeKind::Bool});
  ASSERT_TRUE(table.keeps_keys());
  for (uint32_t j = 0; j < 3; ++j) table.insert(keys, j, j);
  for (uint32_t j = 0; j < 3; ++j) {
    std::vector<Value> want, got;
    GroupTable::key_values(keys, j, want);
    table.key_of(j, got);
    ASSERT_EQ(got.size(), want.size());
    for (size_t c = 0; c < want.size(); ++c) {
      EXPECT_EQ(got[c].kind, want[c].kind) << "row " << j << " key " << c;
      EXPECT_EQ(got[c].b, want[c].b) << "row " << j << " key " << c;
      EXPECT_EQ(got[c].i, want[c].i) << "row " << j << " key " << c;
      EXPECT_EQ(got[c].s, want[c].s) << "row " << j << " key " << c;
    }
    EXPECT_EQ(table.find(keys, j), j);
  }
}

// The byte-keyed map against a std::map model under churn, with keys of every length (empty,
// short, long enough to leave the string's inline buffer) coming back after being forgotten, and
// with a hash that puts many keys on one value: a probe must go past dead entries and entries
// of other keys with its hash.
TEST(BytesSlotMap, AgreesWithAMapUnderChurnEvenWhenHashesCollide) {
  for (bool collide : {false, true}) {
    BytesSlotMap map;
    std::map<std::string, uint32_t> model;
    std::vector<uint32_t> free_slots;
    uint32_t next_slot = 0;
    std::mt19937_64 rng(collide ? 5 : 6);
    auto hash = [&](const std::string& k) { return collide ? BytesSlotMap::hash_of(k) % 7 : BytesSlotMap::hash_of(k); };
    for (int step = 0; step < 100'000; ++step) {
      uint64_t n = rng() % 2000;
      std::string key = n == 0 ? "" : std::string(n % 40, 'k') + std::to_string(n);
      auto it = model.find(key);
      ASSERT_EQ(map.find(key, hash(key)), it == model.end() ? BytesSlotMap::kNone : it->second) << "step " << step;
      if (it == model.end() && model.size() < 600) {
        uint32_t slot = free_slots.empty() ? next_slot++ : free_slots.back();
        if (!free_slots.empty()) free_slots.pop_back();
        map.insert(key, hash(key), slot);
        model[key] = slot;
      } else if (it != model.end() && rng() % 2) {
        map.erase_slot(it->second);
        free_slots.push_back(it->second);
        model.erase(it);
      }
      ASSERT_EQ(map.size(), model.size());
      ASSERT_LE(map.occupied() * 2, map.capacity());
    }
    for (const auto& [key, slot] : model) {
      EXPECT_EQ(map.find(key, hash(key)), slot);
      EXPECT_EQ(map.key(slot), key);
    }
  }
}

}  // namespace
}  // namespace alert

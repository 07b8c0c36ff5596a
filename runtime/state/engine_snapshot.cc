#include "runtime/state/engine_snapshot.h"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>

namespace alert::state {
namespace {

constexpr char kMagic[4] = {'A', 'L', 'C', 'K'};

uint64_t checksum(std::string_view bytes) { return fnv1a(bytes); }  // a damaged file, not an adversary

void write_aggregate_record(SnapshotWriter& w, const AggregateSnapshot& a) {
  w.i64(a.count);
  w.i64(a.i);
  w.boolean(a.overflow);
  w.f64(a.f);
  w.f64(a.m2);
  w.value(a.held);
  w.i64(a.held_time);
  w.u64(a.held_seq);
  w.list(a.distinct, [&](const Value& v) { w.value(v); });
}

void write_group_record(SnapshotWriter& w, const GroupSnapshot& g) {
  w.list(g.keys, [&](const Value& v) { w.value(v); });
  w.i64(g.last_row_time);
  w.i64(g.first_window);
  w.i64(g.consecutive);
  w.boolean(g.firing);
  w.boolean(g.firing_sent);
  w.list(g.firing_labels, [&](const auto& l) {
    w.str(l.first);
    w.str(l.second);
  });
  w.str(g.fingerprint);
  w.list(g.history, [&](const std::vector<Value>& series) { w.list(series, [&](const Value& v) { w.value(v); }); });
  w.list(g.windows, [&](const OpenWindowSnapshot& o) {
    w.i64(o.window);
    w.list(o.aggregates, [&](const AggregateSnapshot& a) { write_aggregate_record(w, a); });
  });
}

}  // namespace

void SnapshotWriter::aggregate(const AggregateSnapshot& a) { write_aggregate_record(*this, a); }
void SnapshotWriter::group(const GroupSnapshot& g) { write_group_record(*this, g); }

void SnapshotWriter::rule_header(const RuleSnapshot& rule) {
  str(rule.rule);
  u64(rule.definition);
  boolean(rule.is_window);
  boolean(rule.started);
  i64(rule.watermark);
  i64(rule.next_close);
}

void SnapshotWriter::throttle(const std::vector<ThrottleSnapshot>& table) {
  list(table, [&](const ThrottleSnapshot& t) {
    str(t.key);
    i64(t.entry.last_sent);
    i64(t.entry.suppressed);
  });
}

void SnapshotWriter::rule(const RuleSnapshot& r) {
  rule_header(r);
  list(r.groups, [&](const GroupSnapshot& g) { group(g); });
  throttle(r.throttle);
}

void SnapshotWriter::program(uint64_t program, const std::vector<uint64_t>& rows_seen, size_t rules) {
  u64(program);
  list(rows_seen, [&](uint64_t n) { u64(n); });
  u64(rules);
}

std::string SnapshotWriter::finish() {
  std::string out(kMagic, sizeof kMagic);
  out += static_cast<char>(kSnapshotVersion);  // one varint byte while the version is below 128
  uint64_t sum = checksum(out_);
  out.append(reinterpret_cast<const char*>(&sum), sizeof sum);
  out += out_;
  out_.clear();
  return out;
}



void SnapshotReader::aggregate(AggregateSnapshot* a) {
  a->count = i64();
  a->i = i64();
  a->overflow = boolean();
  a->f = f64();
  a->m2 = f64();
  a->held = value();
  a->held_time = i64();
  a->held_seq = u64();
  size_t n = count();
  a->distinct.clear();
  for (size_t k = 0; k < n && ok_; ++k) a->distinct.push_back(value());
}

void SnapshotReader::group(GroupSnapshot* g) {
  size_t n = count();
  g->keys.resize(n);
  for (size_t k = 0; k < n && ok_; ++k) g->keys[k] = value();
  g->last_row_time = i64();
  g->first_window = i64();
  g->consecutive = static_cast<int32_t>(i64());
  g->firing = boolean();
  g->firing_sent = boolean();
  n = count();
  g->firing_labels.resize(n);
  for (size_t k = 0; k < n && ok_; ++k) {
    g->firing_labels[k].first = str();
    g->firing_labels[k].second = str();
  }
  g->fingerprint = str();
  n = count();
  g->history.resize(n);
  for (size_t h = 0; h < n && ok_; ++h) {
    size_t m = count();
    g->history[h].resize(m);
    for (size_t k = 0; k < m && ok_; ++k) g->history[h][k] = value();
  }
  n = count();
  g->windows.resize(n);
  for (size_t w = 0; w < n && ok_; ++w) {
    OpenWindowSnapshot& o = g->windows[w];
    o.window = i64();
    size_t m = count();
    o.aggregates.resize(m);
    for (size_t a = 0; a < m && ok_; ++a) aggregate(&o.aggregates[a]);
  }
}

void SnapshotReader::rule_header(RuleSnapshot* rule) {
  rule->rule = str();
  rule->definition = u64();
  rule->is_window = boolean();
  rule->started = boolean();
  rule->watermark = i64();
  rule->next_close = i64();
}

void SnapshotReader::throttle(std::vector<ThrottleSnapshot>* table) {
  size_t n = count();
  table->clear();
  for (size_t k = 0; k < n && ok_; ++k) {
    ThrottleSnapshot t;
    t.key = str();
    t.entry.last_sent = i64();
    t.entry.suppressed = i64();
    table->push_back(std::move(t));
  }
}

void SnapshotReader::program(uint64_t* program, std::vector<uint64_t>* rows_seen, size_t* rules) {
  *program = u64();
  size_t n = count();
  rows_seen->clear();
  for (size_t k = 0; k < n && ok_; ++k) rows_seen->push_back(u64());
  *rules = count();
}

Result<SnapshotReader> SnapshotReader::open(std::string_view bytes) {
  using R = Result<SnapshotReader>;
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    return R::failure("not an alertc checkpoint (no ALCK header)");
  }
  SnapshotReader header(bytes.substr(sizeof kMagic));
  uint64_t version = header.u64();
  if (!header.ok()) return R::failure("the checkpoint is truncated");
  if (version != kSnapshotVersion) {
    return R::failure(fmt::format("the checkpoint has format version {}; this alertc reads version {}", version,
                                  kSnapshotVersion));
  }
  size_t at = sizeof kMagic + 1;  // the version is one byte while it is below 128
  if (bytes.size() < at + 8) return R::failure("the checkpoint is truncated");
  uint64_t sum;
  std::memcpy(&sum, bytes.data() + at, sizeof sum);
  std::string_view body = bytes.substr(at + 8);
  if (checksum(body) != sum) return R::failure("the checkpoint is damaged (its checksum does not match)");
  return SnapshotReader(body);
}

std::vector<ThrottleSnapshot> throttle_rows(const ThrottleTable& table) {
  std::vector<ThrottleSnapshot> rows;
  for (const auto& [key, entry] : table) rows.push_back({key, entry});
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  return rows;
}

void load_throttle(ThrottleTable& table, const std::vector<ThrottleSnapshot>& rows) {
  table.clear();
  for (const ThrottleSnapshot& t : rows) table[t.key] = t.entry;
}

void sort_distinct(std::vector<Value>& values) {
  std::vector<std::pair<std::string, Value>> keyed;
  for (Value& v : values) {
    std::string k;
    append_key(k, v);
    keyed.emplace_back(std::move(k), std::move(v));
  }
  std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  values.clear();
  for (auto& [k, v] : keyed) values.push_back(std::move(v));
}

}  // namespace alert::state

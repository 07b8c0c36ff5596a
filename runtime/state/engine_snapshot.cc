#include "runtime/state/engine_snapshot.h"

#include <cstring>
#include <fmt/format.h>

namespace alert::state {
namespace {

constexpr char kMagic[4] = {'A', 'L', 'C', 'K'};

uint64_t checksum(std::string_view bytes) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a: catches a damaged file, not an adversary
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

class Writer {
 public:
  void u64(uint64_t v) {
    while (v >= 0x80) {
      out_ += static_cast<char>(v | 0x80);
      v >>= 7;
    }
    out_ += static_cast<char>(v);
  }
  void i64(int64_t v) { u64((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }  // zigzag
  void f64(double d) {
    uint64_t bits;
    std::memcpy(&bits, &d, sizeof bits);
    out_.append(reinterpret_cast<const char*>(&bits), sizeof bits);
  }
  void boolean(bool b) { out_ += b ? '\1' : '\0'; }
  void str(std::string_view s) {
    u64(s.size());
    out_.append(s);
  }
  void value(const Value& v) {
    out_ += static_cast<char>(v.kind);
    switch (v.kind) {
      case TypeKind::Null: break;
      case TypeKind::Bool: boolean(v.b); break;
      case TypeKind::Float: f64(v.f); break;
      case TypeKind::String: str(v.s); break;
      case TypeKind::List:
        u64(v.list.size());
        for (const Value& item : v.list) value(item);
        break;
      default: i64(v.i);
    }
  }
  template <typename T, typename Fn>
  void list(const std::vector<T>& items, Fn&& each) {
    u64(items.size());
    for (const T& item : items) each(item);
  }
  std::string& bytes() { return out_; }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool at_end() const { return pos_ == in_.size(); }

  uint64_t u64() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) return fail();
      auto byte = static_cast<unsigned char>(in_[pos_++]);
      v |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return v;
    }
    return fail();
  }
  int64_t i64() {
    uint64_t z = u64();
    return static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1));
  }
  double f64() {
    if (in_.size() - pos_ < 8) return static_cast<double>(fail());
    uint64_t bits;
    std::memcpy(&bits, in_.data() + pos_, sizeof bits);
    pos_ += 8;
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
  }
  bool boolean() {
    if (pos_ >= in_.size()) return fail() != 0;
    return in_[pos_++] != 0;
  }
  std::string str() {
    uint64_t n = u64();
    if (!ok_ || n > in_.size() - pos_) {
      fail();
      return {};
    }
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  Value value(int depth = 0) {
    if (pos_ >= in_.size() || depth > 2) return fail(), Value::null();
    auto kind = static_cast<TypeKind>(in_[pos_++]);
    switch (kind) {
      case TypeKind::Null: return Value::null();
      case TypeKind::Bool: return Value::boolean(boolean());
      case TypeKind::Float: return Value::floating(f64());
      case TypeKind::String: return Value::string(str());
      case TypeKind::Int: return Value::integer(i64());
      case TypeKind::Timestamp: return Value::timestamp(i64());
      case TypeKind::Duration: return Value::duration(i64());
      case TypeKind::List: {
        Value v;
        v.kind = TypeKind::List;
        size_t n = count();
        for (size_t i = 0; i < n && ok_; ++i) v.list.push_back(value(depth + 1));
        return v;
      }
    }
    fail();
    return Value::null();
  }
  // A list's length, refused when it could not fit in what is left (each item is a byte at least).
  size_t count() {
    uint64_t n = u64();
    if (n > in_.size() - pos_) return static_cast<size_t>(fail());
    return static_cast<size_t>(n);
  }
  template <typename T, typename Fn>
  void list(std::vector<T>& items, Fn&& each) {
    size_t n = count();
    items.clear();
    for (size_t i = 0; i < n && ok_; ++i) items.push_back(each());
  }

 private:
  uint64_t fail() {
    ok_ = false;
    pos_ = in_.size();
    return 0;
  }
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

void write_aggregate(Writer& w, const AggregateSnapshot& a) {
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

AggregateSnapshot read_aggregate(Reader& r) {
  AggregateSnapshot a;
  a.count = r.i64();
  a.i = r.i64();
  a.overflow = r.boolean();
  a.f = r.f64();
  a.m2 = r.f64();
  a.held = r.value();
  a.held_time = r.i64();
  a.held_seq = r.u64();
  r.list(a.distinct, [&] { return r.value(); });
  return a;
}

void write_group(Writer& w, const GroupSnapshot& g) {
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
    w.list(o.aggregates, [&](const AggregateSnapshot& a) { write_aggregate(w, a); });
  });
}

GroupSnapshot read_group(Reader& r) {
  GroupSnapshot g;
  r.list(g.keys, [&] { return r.value(); });
  g.last_row_time = r.i64();
  g.first_window = r.i64();
  g.consecutive = static_cast<int32_t>(r.i64());
  g.firing = r.boolean();
  g.firing_sent = r.boolean();
  r.list(g.firing_labels, [&] {
    std::string k = r.str();
    return std::make_pair(std::move(k), r.str());
  });
  g.fingerprint = r.str();
  r.list(g.history, [&] {
    std::vector<Value> series;
    r.list(series, [&] { return r.value(); });
    return series;
  });
  r.list(g.windows, [&] {
    OpenWindowSnapshot o;
    o.window = r.i64();
    r.list(o.aggregates, [&] { return read_aggregate(r); });
    return o;
  });
  return g;
}

}  // namespace

std::string encode(const EngineSnapshot& s) {
  Writer w;
  w.u64(s.program);
  w.list(s.rows_seen, [&](uint64_t n) { w.u64(n); });
  w.list(s.rules, [&](const RuleSnapshot& rule) {
    w.str(rule.rule);
    w.u64(rule.definition);
    w.boolean(rule.is_window);
    w.boolean(rule.started);
    w.i64(rule.watermark);
    w.i64(rule.next_close);
    w.list(rule.groups, [&](const GroupSnapshot& g) { write_group(w, g); });
    w.list(rule.throttle, [&](const ThrottleSnapshot& t) {
      w.str(t.key);
      w.i64(t.entry.last_sent);
      w.i64(t.entry.suppressed);
    });
  });
  std::string body = std::move(w.bytes());
  std::string out(kMagic, sizeof kMagic);
  Writer header;
  header.u64(kSnapshotVersion);
  uint64_t sum = checksum(body);
  out += header.bytes();
  out.append(reinterpret_cast<const char*>(&sum), sizeof sum);
  out += body;
  return out;
}

Result<EngineSnapshot> decode(std::string_view bytes) {
  using R = Result<EngineSnapshot>;
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    return R::failure("not an alertc checkpoint (no ALCK header)");
  }
  Reader header(bytes.substr(sizeof kMagic));
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
  Reader r(body);
  EngineSnapshot s;
  s.program = r.u64();
  r.list(s.rows_seen, [&] { return r.u64(); });
  r.list(s.rules, [&] {
    RuleSnapshot rule;
    rule.rule = r.str();
    rule.definition = r.u64();
    rule.is_window = r.boolean();
    rule.started = r.boolean();
    rule.watermark = r.i64();
    rule.next_close = r.i64();
    r.list(rule.groups, [&] { return read_group(r); });
    r.list(rule.throttle, [&] {
      ThrottleSnapshot t;
      t.key = r.str();
      t.entry.last_sent = r.i64();
      t.entry.suppressed = r.i64();
      return t;
    });
    return rule;
  });
  if (!r.ok() || !r.at_end()) return R::failure("the checkpoint is damaged (it does not parse)");
  return s;
}

}  // namespace alert::state

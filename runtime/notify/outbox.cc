#include "runtime/notify/outbox.h"

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <fmt/format.h>

namespace alert {
namespace {

Result<bool> exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    return Result<bool>::failure(message);
  }
  return true;
}

Result<sqlite3*> connect(const std::string& path, const char* synchronous) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr) !=
      SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Result<sqlite3*>::failure(fmt::format("cannot open the outbox '{}': {}", path, message));
  }
  sqlite3_busy_timeout(db, 10'000);
  for (std::string sql : {std::string("PRAGMA journal_mode=WAL"), fmt::format("PRAGMA synchronous={}", synchronous)}) {
    if (auto r = exec(db, sql.c_str()); !r.ok()) {
      sqlite3_close(db);
      return Result<sqlite3*>::failure(fmt::format("outbox '{}': {}", path, r.error()));
    }
  }
  return db;
}

}  // namespace

Result<std::unique_ptr<Outbox>> Outbox::open(const std::string& dir) {
  using R = Result<std::unique_ptr<Outbox>>;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return R::failure(fmt::format("cannot create the state directory '{}': {}", dir, ec.message()));
  std::string path = (std::filesystem::path(dir) / "outbox.db").string();
  std::unique_ptr<Outbox> box(new Outbox);
  auto producer = connect(path, "FULL");
  if (!producer.ok()) return R::failure(producer.error());
  box->producer_ = producer.value();
  auto created = exec(box->producer_,
                      "CREATE TABLE IF NOT EXISTS outbox(id INTEGER PRIMARY KEY, channel TEXT NOT NULL, "
                      "key TEXT NOT NULL, body BLOB NOT NULL, fingerprint TEXT NOT NULL, state TEXT NOT NULL, "
                      "attempts INTEGER NOT NULL DEFAULT 0, next_attempt_ms INTEGER NOT NULL DEFAULT 0);"
                      "CREATE INDEX IF NOT EXISTS outbox_due ON outbox(channel, next_attempt_ms, id);"
                      "CREATE TABLE IF NOT EXISTS checkpoint(id INTEGER PRIMARY KEY CHECK (id = 1), "
                      "engine BLOB NOT NULL, written_ms INTEGER NOT NULL);"
                      "CREATE TABLE IF NOT EXISTS checkpoint_inputs(name TEXT PRIMARY KEY, byte_offset INTEGER NOT NULL, "
                      "line INTEGER NOT NULL, rows INTEGER NOT NULL, prefix_digest TEXT NOT NULL);"
                      "CREATE TABLE IF NOT EXISTS checkpoint_files(path TEXT PRIMARY KEY, length INTEGER NOT NULL);");
  if (!created.ok()) return R::failure(fmt::format("outbox '{}': {}", path, created.error()));
  auto worker = connect(path, "NORMAL");
  if (!worker.ok()) return R::failure(worker.error());
  box->worker_ = worker.value();
  if (sqlite3_prepare_v2(box->producer_,
                         "INSERT INTO outbox(channel, key, body, fingerprint, state) VALUES(?, ?, ?, ?, ?)", -1,
                         &box->insert_, nullptr) != SQLITE_OK) {
    return R::failure(fmt::format("outbox '{}': {}", path, sqlite3_errmsg(box->producer_)));
  }
  return box;
}

Outbox::~Outbox() {
  sqlite3_finalize(insert_);
  sqlite3_close(worker_);
  sqlite3_close(producer_);
}

Result<bool> Outbox::add(const OutboxRow& row) {
  std::lock_guard<std::mutex> lock(producer_mutex_);
  if (!in_transaction_) {
    if (auto r = exec(producer_, "BEGIN IMMEDIATE"); !r.ok()) return r;
    in_transaction_ = true;
  }
  sqlite3_reset(insert_);
  sqlite3_bind_text(insert_, 1, row.channel.data(), static_cast<int>(row.channel.size()), SQLITE_TRANSIENT);
  sqlite3_bind_text(insert_, 2, row.key.data(), static_cast<int>(row.key.size()), SQLITE_TRANSIENT);
  sqlite3_bind_blob(insert_, 3, row.body.data(), static_cast<int>(row.body.size()), SQLITE_TRANSIENT);
  sqlite3_bind_text(insert_, 4, row.fingerprint.data(), static_cast<int>(row.fingerprint.size()), SQLITE_TRANSIENT);
  sqlite3_bind_text(insert_, 5, row.state.data(), static_cast<int>(row.state.size()), SQLITE_TRANSIENT);
  if (sqlite3_step(insert_) != SQLITE_DONE) return Result<bool>::failure(sqlite3_errmsg(producer_));
  return true;
}

Result<bool> Outbox::commit() {
  std::lock_guard<std::mutex> lock(producer_mutex_);
  if (!in_transaction_) return true;
  in_transaction_ = false;
  return exec(producer_, "COMMIT");
}

namespace {

// A prepared statement that finalizes itself.
struct Statement {
  sqlite3_stmt* q = nullptr;
  Statement(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &q, nullptr); }
  ~Statement() { sqlite3_finalize(q); }
  void text(int i, std::string_view s) { sqlite3_bind_text(q, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT); }
  void blob(int i, std::string_view s) { sqlite3_bind_blob(q, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT); }
  void integer(int i, uint64_t v) { sqlite3_bind_int64(q, i, static_cast<int64_t>(v)); }
  std::string column_bytes(int i) {
    const void* p = sqlite3_column_blob(q, i);
    return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(q, i))) : std::string();
  }
};

}  // namespace

Result<bool> Outbox::put_checkpoint(const Checkpoint& cp) {
  std::lock_guard<std::mutex> lock(producer_mutex_);
  if (!in_transaction_) {
    if (auto r = exec(producer_, "BEGIN IMMEDIATE"); !r.ok()) return r;
    in_transaction_ = true;
  }
  auto fail = [&] { return Result<bool>::failure(sqlite3_errmsg(producer_)); };
  {
    Statement q(producer_, "INSERT OR REPLACE INTO checkpoint(id, engine, written_ms) VALUES(1, ?, ?)");
    q.blob(1, cp.engine_state);
    q.integer(2, static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count()));
    if (sqlite3_step(q.q) != SQLITE_DONE) return fail();
  }
  if (auto r = exec(producer_, "DELETE FROM checkpoint_inputs; DELETE FROM checkpoint_files"); !r.ok()) return r;
  for (const InputProgress& in : cp.inputs) {
    Statement q(producer_, "INSERT INTO checkpoint_inputs(name, byte_offset, line, rows, prefix_digest) VALUES(?, ?, ?, ?, ?)");
    q.text(1, in.name);
    q.integer(2, in.offset);
    q.integer(3, in.line);
    q.integer(4, in.rows);
    q.text(5, in.prefix_digest);
    if (sqlite3_step(q.q) != SQLITE_DONE) return fail();
  }
  for (const auto& [path, length] : cp.files) {
    Statement q(producer_, "INSERT INTO checkpoint_files(path, length) VALUES(?, ?)");
    q.text(1, path);
    q.integer(2, length);
    if (sqlite3_step(q.q) != SQLITE_DONE) return fail();
  }
  return true;
}

Result<std::optional<Checkpoint>> Outbox::checkpoint() {
  using R = Result<std::optional<Checkpoint>>;
  std::lock_guard<std::mutex> lock(producer_mutex_);
  Checkpoint cp;
  {
    Statement q(producer_, "SELECT engine FROM checkpoint WHERE id = 1");
    if (!q.q) return R::failure(sqlite3_errmsg(producer_));
    int step = sqlite3_step(q.q);
    if (step == SQLITE_DONE) return std::optional<Checkpoint>();
    if (step != SQLITE_ROW) return R::failure(sqlite3_errmsg(producer_));
    cp.engine_state = q.column_bytes(0);
  }
  {
    Statement q(producer_, "SELECT name, byte_offset, line, rows, prefix_digest FROM checkpoint_inputs ORDER BY name");
    while (sqlite3_step(q.q) == SQLITE_ROW) {
      InputProgress in;
      in.name = reinterpret_cast<const char*>(sqlite3_column_text(q.q, 0));
      in.offset = static_cast<uint64_t>(sqlite3_column_int64(q.q, 1));
      in.line = static_cast<uint64_t>(sqlite3_column_int64(q.q, 2));
      in.rows = static_cast<uint64_t>(sqlite3_column_int64(q.q, 3));
      in.prefix_digest = reinterpret_cast<const char*>(sqlite3_column_text(q.q, 4));
      cp.inputs.push_back(std::move(in));
    }
  }
  {
    Statement q(producer_, "SELECT path, length FROM checkpoint_files ORDER BY path");
    while (sqlite3_step(q.q) == SQLITE_ROW) {
      cp.files.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(q.q, 0)),
                            static_cast<uint64_t>(sqlite3_column_int64(q.q, 1)));
    }
  }
  return std::optional<Checkpoint>(std::move(cp));
}

Result<bool> Outbox::drop_checkpoint() {
  std::lock_guard<std::mutex> lock(producer_mutex_);
  return exec(producer_, "DELETE FROM checkpoint; DELETE FROM checkpoint_inputs; DELETE FROM checkpoint_files");
}

std::vector<OutboxRow> Outbox::due(const std::string& channel, int64_t now_ms, int limit) {
  std::lock_guard<std::mutex> lock(worker_mutex_);
  std::vector<OutboxRow> out;
  sqlite3_stmt* q = nullptr;
  sqlite3_prepare_v2(worker_,
                     "SELECT id, key, body, fingerprint, state, attempts, next_attempt_ms FROM outbox "
                     "WHERE channel = ? AND next_attempt_ms <= ? ORDER BY id LIMIT ?",
                     -1, &q, nullptr);
  sqlite3_bind_text(q, 1, channel.data(), static_cast<int>(channel.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int64(q, 2, now_ms);
  sqlite3_bind_int(q, 3, limit);
  while (sqlite3_step(q) == SQLITE_ROW) {
    OutboxRow r;
    r.id = sqlite3_column_int64(q, 0);
    r.channel = channel;
    r.key = reinterpret_cast<const char*>(sqlite3_column_text(q, 1));
    r.body.assign(static_cast<const char*>(sqlite3_column_blob(q, 2)), static_cast<size_t>(sqlite3_column_bytes(q, 2)));
    r.fingerprint = reinterpret_cast<const char*>(sqlite3_column_text(q, 3));
    r.state = reinterpret_cast<const char*>(sqlite3_column_text(q, 4));
    r.attempts = sqlite3_column_int(q, 5);
    r.next_attempt_ms = sqlite3_column_int64(q, 6);
    out.push_back(std::move(r));
  }
  sqlite3_finalize(q);
  return out;
}

int64_t Outbox::next_due_ms(const std::string& channel) {
  std::lock_guard<std::mutex> lock(worker_mutex_);
  sqlite3_stmt* q = nullptr;
  sqlite3_prepare_v2(worker_, "SELECT MIN(next_attempt_ms) FROM outbox WHERE channel = ?", -1, &q, nullptr);
  sqlite3_bind_text(q, 1, channel.data(), static_cast<int>(channel.size()), SQLITE_TRANSIENT);
  int64_t next = INT64_MAX;
  if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL) next = sqlite3_column_int64(q, 0);
  sqlite3_finalize(q);
  return next;
}

void Outbox::remove(const std::vector<int64_t>& ids) {
  if (ids.empty()) return;
  std::lock_guard<std::mutex> lock(worker_mutex_);
  exec(worker_, "BEGIN");
  sqlite3_stmt* q = nullptr;
  sqlite3_prepare_v2(worker_, "DELETE FROM outbox WHERE id = ?", -1, &q, nullptr);
  for (int64_t id : ids) {
    sqlite3_reset(q);
    sqlite3_bind_int64(q, 1, id);
    sqlite3_step(q);
  }
  sqlite3_finalize(q);
  exec(worker_, "COMMIT");
}

void Outbox::reschedule(int64_t id, int attempts, int64_t next_attempt_ms) {
  std::lock_guard<std::mutex> lock(worker_mutex_);
  sqlite3_stmt* q = nullptr;
  sqlite3_prepare_v2(worker_, "UPDATE outbox SET attempts = ?, next_attempt_ms = ? WHERE id = ?", -1, &q, nullptr);
  sqlite3_bind_int(q, 1, attempts);
  sqlite3_bind_int64(q, 2, next_attempt_ms);
  sqlite3_bind_int64(q, 3, id);
  sqlite3_step(q);
  sqlite3_finalize(q);
}

int64_t Outbox::pending(const std::string& channel) {
  std::lock_guard<std::mutex> lock(worker_mutex_);
  sqlite3_stmt* q = nullptr;
  sqlite3_prepare_v2(worker_, "SELECT COUNT(*) FROM outbox WHERE channel = ?", -1, &q, nullptr);
  sqlite3_bind_text(q, 1, channel.data(), static_cast<int>(channel.size()), SQLITE_TRANSIENT);
  int64_t n = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
  sqlite3_finalize(q);
  return n;
}

}  // namespace alert

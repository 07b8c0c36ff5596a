// The durable outbox: every notification for a networked channel is a row in a SQLite database
// (WAL) under the state directory before it counts as produced; channel workers delete a row
// once its receiver accepted it. SQLite rather than a log of our own: crash-safe transactions,
// concurrent reader/writer access and fsync discipline are what it is built for, and it is in
// Debian (docs/architecture.md). The producer batches rows and commits them with a full fsync
// once per input batch; workers' updates need no fsync (a lost update means a redelivery, which
// the idempotency key makes harmless).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "alert/notifier.h"
#include "alert/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace alert {

struct OutboxRow {
  int64_t id = 0;
  std::string channel;
  std::string key;         // idempotency key
  std::string body;        // what is sent
  std::string fingerprint; // alertmanager: to track firing alerts for re-sends
  std::string state;       // firing / resolved
  int attempts = 0;
  int64_t next_attempt_ms = 0;
};

class Outbox {
 public:
  // Creates the directory and the database if needed.
  static Result<std::unique_ptr<Outbox>> open(const std::string& dir);
  ~Outbox();

  // Producer side: rows are kept in a transaction until commit().
  Result<bool> add(const OutboxRow& row);
  Result<bool> commit();

  // Writes a checkpoint into the producer's transaction: commit() makes it durable together with
  // the rows added since the last one, or neither.
  Result<bool> put_checkpoint(const Checkpoint& checkpoint);
  // The last committed checkpoint, if any; an unreadable one is an error.
  Result<std::optional<Checkpoint>> checkpoint();
  // Forgets the checkpoint (--fresh); the outbox rows, notifications already produced, stay.
  Result<bool> drop_checkpoint();

  // Worker side.
  std::vector<OutboxRow> due(const std::string& channel, int64_t now_ms, int limit);
  // The earliest next attempt among the channel's rows (INT64_MAX when it has none).
  int64_t next_due_ms(const std::string& channel);
  // Deletes delivered rows in one transaction (a crash before it commits means a redelivery).
  void remove(const std::vector<int64_t>& ids);
  void reschedule(int64_t id, int attempts, int64_t next_attempt_ms);
  int64_t pending(const std::string& channel);

 private:
  Outbox() = default;
  std::mutex producer_mutex_, worker_mutex_;
  sqlite3* producer_ = nullptr;  // synchronous=FULL: a commit is on disk when it returns
  sqlite3* worker_ = nullptr;    // synchronous=NORMAL
  bool in_transaction_ = false;
  sqlite3_stmt* insert_ = nullptr;
};

}  // namespace alert

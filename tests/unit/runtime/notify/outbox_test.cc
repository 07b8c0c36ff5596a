// The durable outbox (runtime/notify/outbox.h) in a temporary folder: rows become visible to
// workers only when committed, come back per channel in id order when due, keep their attempts
// and schedule, leave when removed (delivered or dead-lettered), and survive closing and
// reopening the database; uncommitted rows do not.
#include "runtime/notify/outbox.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <climits>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace alert {
namespace {

namespace fs = std::filesystem;

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (fs::temp_directory_path() / "alert_outbox_test_XXXXXX").string();
    ASSERT_NE(mkdtemp(templ.data()), nullptr);
    root_ = templ;
    dir_ = (root_ / "state").string();
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  std::unique_ptr<Outbox> open() {
    auto box = Outbox::open(dir_);
    EXPECT_TRUE(box.ok()) << (box.ok() ? "" : box.error());
    return box.ok() ? box.take() : nullptr;
  }

  static OutboxRow row(const std::string& channel, const std::string& key, const std::string& body) {
    OutboxRow r;
    r.channel = channel;
    r.key = key;
    r.body = body;
    r.fingerprint = "fp-" + key;
    r.state = "firing";
    return r;
  }

  static std::vector<std::string> keys(const std::vector<OutboxRow>& rows) {
    std::vector<std::string> out;
    for (const OutboxRow& r : rows) out.push_back(r.key);
    return out;
  }

  fs::path root_;
  std::string dir_;
};

TEST_F(OutboxTest, OpenCreatesTheFolderAndTheDatabase) {
  dir_ = (root_ / "a" / "b" / "state").string();
  auto box = open();
  ASSERT_TRUE(box);
  EXPECT_TRUE(fs::is_regular_file(fs::path(dir_) / "outbox.db"));
  EXPECT_EQ(box->pending("c"), 0);
  EXPECT_TRUE(box->due("c", INT64_MAX, 10).empty());
  EXPECT_EQ(box->next_due_ms("c"), INT64_MAX);
}

TEST_F(OutboxTest, OpenFailsWhenTheFolderCannotBeMade) {
  std::ofstream(root_ / "file") << "x";
  auto box = Outbox::open((root_ / "file" / "state").string());
  ASSERT_FALSE(box.ok());
  EXPECT_NE(box.error().find("cannot create the state directory"), std::string::npos) << box.error();
}

TEST_F(OutboxTest, OpenFailsWhenTheDatabaseIsNotAFile) {
  fs::create_directories(fs::path(dir_) / "outbox.db");
  auto box = Outbox::open(dir_);
  EXPECT_FALSE(box.ok());
}

TEST_F(OutboxTest, RowsAreInvisibleToWorkersUntilCommitted) {
  auto box = open();
  ASSERT_TRUE(box);
  ASSERT_TRUE(box->add(row("hook", "k1", "{\"a\":1}")).ok());
  ASSERT_TRUE(box->add(row("hook", "k2", "{\"a\":2}")).ok());
  EXPECT_EQ(box->pending("hook"), 0);
  EXPECT_TRUE(box->due("hook", INT64_MAX, 10).empty());
  ASSERT_TRUE(box->commit().ok());
  EXPECT_EQ(box->pending("hook"), 2);
  EXPECT_EQ(keys(box->due("hook", 0, 10)), (std::vector<std::string>{"k1", "k2"}));
}

TEST_F(OutboxTest, ADueRowCarriesEverythingThatWasAdded) {
  auto box = open();
  ASSERT_TRUE(box);
  OutboxRow r = row("am", "key-1", "[{\"labels\":{}}]");
  r.fingerprint = "0123456789abcdef";
  r.state = "resolved";
  ASSERT_TRUE(box->add(r).ok());
  ASSERT_TRUE(box->commit().ok());
  auto due = box->due("am", 0, 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_GT(due[0].id, 0);
  EXPECT_EQ(due[0].channel, "am");
  EXPECT_EQ(due[0].key, "key-1");
  EXPECT_EQ(due[0].body, "[{\"labels\":{}}]");
  EXPECT_EQ(due[0].fingerprint, "0123456789abcdef");
  EXPECT_EQ(due[0].state, "resolved");
  EXPECT_EQ(due[0].attempts, 0);  // a new row has not been tried
  EXPECT_EQ(due[0].next_attempt_ms, 0);
}

TEST_F(OutboxTest, BodiesAreBytesAndEmptyFieldsRoundTrip) {
  auto box = open();
  ASSERT_TRUE(box);
  const std::string binary("a\0b\xFF\xFE\n", 6);
  ASSERT_TRUE(box->add(row("c", "bin", binary)).ok());
  OutboxRow empty;
  empty.channel = "c";
  ASSERT_TRUE(box->add(empty).ok());
  ASSERT_TRUE(box->commit().ok());
  auto due = box->due("c", 0, 10);
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].body, binary);
  EXPECT_EQ(due[0].body.size(), 6u);
  EXPECT_EQ(due[1].key, "");
  EXPECT_EQ(due[1].body, "");
  EXPECT_EQ(due[1].fingerprint, "");
  EXPECT_EQ(due[1].state, "");
}

TEST_F(OutboxTest, DueRowsArePerChannelInIdOrderUpToTheLimit) {
  auto box = open();
  ASSERT_TRUE(box);
  for (const char* k : {"a1", "b1", "a2", "a3", "b2"}) ASSERT_TRUE(box->add(row(std::string(1, k[0]), k, k)).ok());
  ASSERT_TRUE(box->commit().ok());
  EXPECT_EQ(keys(box->due("a", 0, 10)), (std::vector<std::string>{"a1", "a2", "a3"}));
  EXPECT_EQ(keys(box->due("b", 0, 10)), (std::vector<std::string>{"b1", "b2"}));
  EXPECT_EQ(keys(box->due("a", 0, 2)), (std::vector<std::string>{"a1", "a2"}));
  EXPECT_TRUE(box->due("c", 0, 10).empty());
  EXPECT_EQ(box->pending("a"), 3);
  EXPECT_EQ(box->pending("b"), 2);
  // Ids grow in the order rows were added.
  auto a = box->due("a", 0, 10);
  EXPECT_LT(a[0].id, a[1].id);
  EXPECT_LT(a[1].id, a[2].id);
}

TEST_F(OutboxTest, ARescheduledRowWaitsUntilItsTimeAndKeepsItsAttempts) {
  auto box = open();
  ASSERT_TRUE(box);
  ASSERT_TRUE(box->add(row("c", "first", "1")).ok());
  ASSERT_TRUE(box->add(row("c", "second", "2")).ok());
  ASSERT_TRUE(box->commit().ok());
  int64_t first = box->due("c", 0, 10)[0].id;
  box->reschedule(first, 3, 5'000);

  EXPECT_EQ(keys(box->due("c", 4'999, 10)), (std::vector<std::string>{"second"}));
  auto at_time = box->due("c", 5'000, 10);
  ASSERT_EQ(at_time.size(), 2u);
  EXPECT_EQ(at_time[0].key, "first");  // still in id order once due
  EXPECT_EQ(at_time[0].attempts, 3);
  EXPECT_EQ(at_time[0].next_attempt_ms, 5'000);
  EXPECT_EQ(at_time[1].attempts, 0);
  EXPECT_EQ(box->pending("c"), 2);  // waiting rows are still pending
}

TEST_F(OutboxTest, NextDueIsTheEarliestScheduleOfTheChannel) {
  auto box = open();
  ASSERT_TRUE(box);
  EXPECT_EQ(box->next_due_ms("c"), INT64_MAX);
  ASSERT_TRUE(box->add(row("c", "x", "1")).ok());
  ASSERT_TRUE(box->add(row("c", "y", "2")).ok());
  ASSERT_TRUE(box->add(row("other", "z", "3")).ok());
  ASSERT_TRUE(box->commit().ok());
  EXPECT_EQ(box->next_due_ms("c"), 0);
  auto rows = box->due("c", 0, 10);
  box->reschedule(rows[0].id, 1, 9'000);
  box->reschedule(rows[1].id, 1, 7'000);
  EXPECT_EQ(box->next_due_ms("c"), 7'000);
  EXPECT_EQ(box->next_due_ms("other"), 0);
  box->remove({rows[1].id});
  EXPECT_EQ(box->next_due_ms("c"), 9'000);
}

TEST_F(OutboxTest, RemoveDeletesExactlyTheGivenRows) {
  auto box = open();
  ASSERT_TRUE(box);
  for (const char* k : {"k1", "k2", "k3", "k4"}) ASSERT_TRUE(box->add(row("c", k, k)).ok());
  ASSERT_TRUE(box->commit().ok());
  auto rows = box->due("c", 0, 10);
  ASSERT_EQ(rows.size(), 4u);
  box->remove({rows[0].id, rows[2].id});
  EXPECT_EQ(box->pending("c"), 2);
  EXPECT_EQ(keys(box->due("c", 0, 10)), (std::vector<std::string>{"k2", "k4"}));
  box->remove({});                     // nothing to do
  box->remove({rows[0].id});           // already gone
  box->remove({rows.back().id + 100});  // never existed
  EXPECT_EQ(keys(box->due("c", 0, 10)), (std::vector<std::string>{"k2", "k4"}));
}

TEST_F(OutboxTest, TheSameKeyTwiceIsTwoRows) {
  // The key is for the receiver to recognise a redelivery; the outbox itself does not
  // deduplicate (a replayed alert is stored, and sent, again with its key).
  auto box = open();
  ASSERT_TRUE(box);
  ASSERT_TRUE(box->add(row("c", "same", "one")).ok());
  ASSERT_TRUE(box->add(row("c", "same", "two")).ok());
  ASSERT_TRUE(box->commit().ok());
  auto rows = box->due("c", 0, 10);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_NE(rows[0].id, rows[1].id);
  EXPECT_EQ(rows[0].body, "one");
  EXPECT_EQ(rows[1].body, "two");
  EXPECT_EQ(box->pending("c"), 2);
}

TEST_F(OutboxTest, CommitWithNothingAddedAndRepeatedCommitsAreFine) {
  auto box = open();
  ASSERT_TRUE(box);
  EXPECT_TRUE(box->commit().ok());
  ASSERT_TRUE(box->add(row("c", "a", "1")).ok());
  EXPECT_TRUE(box->commit().ok());
  EXPECT_TRUE(box->commit().ok());
  ASSERT_TRUE(box->add(row("c", "b", "2")).ok());  // a new transaction after a commit
  EXPECT_EQ(box->pending("c"), 1);
  EXPECT_TRUE(box->commit().ok());
  EXPECT_EQ(box->pending("c"), 2);
}

TEST_F(OutboxTest, CommittedRowsAndTheirSchedulesSurviveReopening) {
  int64_t kept_id = 0;
  {
    auto box = open();
    ASSERT_TRUE(box);
    ASSERT_TRUE(box->add(row("c", "delivered", "1")).ok());
    ASSERT_TRUE(box->add(row("c", "retrying", std::string("2\0x", 3))).ok());
    ASSERT_TRUE(box->add(row("d", "other", "3")).ok());
    ASSERT_TRUE(box->commit().ok());
    auto rows = box->due("c", 0, 10);
    ASSERT_EQ(rows.size(), 2u);
    box->remove({rows[0].id});
    box->reschedule(rows[1].id, 2, 1'234);
    kept_id = rows[1].id;
  }
  auto box = open();
  ASSERT_TRUE(box);
  EXPECT_EQ(box->pending("c"), 1);
  EXPECT_EQ(box->pending("d"), 1);
  EXPECT_TRUE(box->due("c", 1'233, 10).empty());
  auto rows = box->due("c", 1'234, 10);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].id, kept_id);
  EXPECT_EQ(rows[0].key, "retrying");
  EXPECT_EQ(rows[0].body, std::string("2\0x", 3));
  EXPECT_EQ(rows[0].attempts, 2);
  EXPECT_EQ(rows[0].next_attempt_ms, 1'234);
  // New rows after reopening get new ids, after the old ones.
  ASSERT_TRUE(box->add(row("c", "new", "4")).ok());
  ASSERT_TRUE(box->commit().ok());
  auto all = box->due("c", INT64_MAX, 10);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].key, "new");
  EXPECT_GT(all[1].id, kept_id);
}

TEST_F(OutboxTest, RowsNeverCommittedAreGoneAfterReopening) {
  {
    auto box = open();
    ASSERT_TRUE(box);
    ASSERT_TRUE(box->add(row("c", "kept", "1")).ok());
    ASSERT_TRUE(box->commit().ok());
    ASSERT_TRUE(box->add(row("c", "lost", "2")).ok());
  }
  auto box = open();
  ASSERT_TRUE(box);
  EXPECT_EQ(keys(box->due("c", 0, 10)), (std::vector<std::string>{"kept"}));
}

TEST_F(OutboxTest, TwoOutboxesOnOneFolderSeeEachOthersCommits) {
  // A worker in one process sees what the producer of another committed (WAL readers).
  auto producer = open();
  auto reader = open();
  ASSERT_TRUE(producer && reader);
  ASSERT_TRUE(producer->add(row("c", "k", "1")).ok());
  EXPECT_EQ(reader->pending("c"), 0);
  ASSERT_TRUE(producer->commit().ok());
  EXPECT_EQ(reader->pending("c"), 1);
  auto rows = reader->due("c", 0, 10);
  ASSERT_EQ(rows.size(), 1u);
  reader->remove({rows[0].id});
  EXPECT_EQ(producer->pending("c"), 0);
}

}  // namespace
}  // namespace alert

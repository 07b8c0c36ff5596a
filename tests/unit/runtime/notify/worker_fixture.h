// What the channel worker's tests and the redaction tests share: a temporary state folder with an
// outbox and a dead-letter file, a loopback receiver and the worker under test, torn down in the
// order they depend on each other.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/notify/channel_worker.h"
#include "runtime/notify/outbox.h"
#include "tests/unit/runtime/notify/loopback_http.h"

namespace alert {

class WorkerFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (std::filesystem::temp_directory_path() / "alert_worker_test_XXXXXX").string();
    ASSERT_NE(mkdtemp(templ.data()), nullptr);
    dir_ = templ;
    auto box = Outbox::open((dir_ / "state").string());
    ASSERT_TRUE(box.ok()) << (box.ok() ? "" : box.error());
    outbox_ = box.take();
    dead_letter_ = (dir_ / "dead-letter.jsonl").string();
  }
  void TearDown() override {
    worker_.reset();  // before the receiver and the outbox go
    server_.reset();
    outbox_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::vector<nlohmann::json> dead_letters() const {
    std::vector<nlohmann::json> out;
    std::ifstream in(dead_letter_);
    std::string line;
    while (std::getline(in, line)) out.push_back(nlohmann::json::parse(line));
    return out;
  }

  std::filesystem::path dir_;
  std::string dead_letter_;
  std::unique_ptr<test_http::Server> server_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<ChannelWorker> worker_;
};

}  // namespace alert

// A fast local webhook receiver for the delivery benchmark (cpp-httplib from Debian): accepts
// every POST, counts requests and distinct Idempotency-Keys, answers GET /count with
// "requests keys". Usage: alert_webhook_receiver PORT
#include <httplib.h>

#include <atomic>
#include <iostream>
#include <mutex>
#include <string>
#include <unordered_set>

int main(int argc, char** argv) {
  int port = argc > 1 ? std::stoi(argv[1]) : 0;
  httplib::Server server;
  std::atomic<uint64_t> requests{0};
  std::mutex mutex;
  std::unordered_set<std::string> keys;
  server.Post(".*", [&](const httplib::Request& req, httplib::Response& res) {
    ++requests;
    std::lock_guard<std::mutex> lock(mutex);
    keys.insert(req.get_header_value("Idempotency-Key"));
    res.status = 200;
  });
  server.Get("/count", [&](const httplib::Request&, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mutex);
    res.set_content(std::to_string(requests.load()) + " " + std::to_string(keys.size()), "text/plain");
  });
  server.Get("/stop", [&](const httplib::Request&, httplib::Response&) { server.stop(); });
  if (port == 0) port = server.bind_to_any_port("127.0.0.1");
  else if (!server.bind_to_port("127.0.0.1", port)) return 1;
  std::cout << port << std::endl;
  server.listen_after_bind();
  return 0;
}

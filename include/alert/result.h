// Errors as values across layers: a Result<T> holds a T or a message.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace alert {

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  static Result failure(std::string message) {
    Result r;
    r.v_ = Error{std::move(message)};
    return r;
  }
  bool ok() const { return v_.index() == 0; }
  T& value() { return std::get<0>(v_); }
  T take() { return std::move(std::get<0>(v_)); }
  const std::string& error() const { return std::get<1>(v_).message; }

 private:
  struct Error {
    std::string message;
  };
  Result() = default;
  std::variant<T, Error> v_;
};

}  // namespace alert

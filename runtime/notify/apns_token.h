// The provider token APNs wants (token-based authentication): a JWT with header
// {"alg":"ES256","kid":KEY_ID} and claims {"iss":TEAM_ID,"iat":now}, signed with the team's
// P-256 key (the .p8 file Apple issues) through OpenSSL. Apple refuses tokens older than an hour
// and throttles ones renewed more often than every 20 minutes, so a token is kept 30 minutes.
#pragma once

#include <cstdint>
#include <string>

#include "alert/result.h"

namespace alert {

class ApnsToken {
 public:
  ApnsToken(std::string key_file, std::string key_id, std::string team_id)
      : key_file_(std::move(key_file)), key_id_(std::move(key_id)), team_id_(std::move(team_id)) {}
  // The current token, signing a new one when there is none or it is 30 minutes old.
  Result<std::string> get(int64_t now_s);

 private:
  std::string key_file_, key_id_, team_id_;
  std::string token_;
  int64_t issued_s_ = 0;
};

}  // namespace alert

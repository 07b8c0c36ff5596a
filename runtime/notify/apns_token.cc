#include "runtime/notify/apns_token.h"

#include "runtime/notify/provider_payloads.h"

#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>

#include <cstdio>
#include <fmt/format.h>
#include <memory>
#include <vector>

namespace alert {
namespace {

std::string base64url(std::string_view s) { return base64(s, true); }

}  // namespace

Result<std::string> ApnsToken::get(int64_t now_s) {
  // Renewed after 30 minutes, or when the clock went back (a token must not outlive Apple's hour).
  if (!token_.empty() && now_s >= issued_s_ && now_s - issued_s_ < 30 * 60) return token_;
  using R = Result<std::string>;
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(key_file_.c_str(), "r"), std::fclose);
  if (!file) return R::failure(fmt::format("cannot read the APNs key '{}'", key_file_));
  // No passphrase prompt: a worker thread must never wait on a terminal.
  auto no_passphrase = [](char*, int, int, void*) { return -1; };
  std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> key(PEM_read_PrivateKey(file.get(), nullptr, no_passphrase, nullptr),
                                                      EVP_PKEY_free);
  char curve[64] = "";
  size_t curve_len = 0;
  if (!key || EVP_PKEY_base_id(key.get()) != EVP_PKEY_EC ||
      EVP_PKEY_get_utf8_string_param(key.get(), "group", curve, sizeof curve, &curve_len) != 1 ||
      std::string(curve) != "prime256v1") {
    return R::failure(fmt::format("'{}' is not an unencrypted P-256 private key in PEM (Apple's .p8 file)", key_file_));
  }
  std::string signing_input = base64url(fmt::format(R"({{"alg":"ES256","kid":"{}"}})", key_id_)) + "." +
                              base64url(fmt::format(R"({{"iss":"{}","iat":{}}})", team_id_, now_s));
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  size_t der_len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &der_len, reinterpret_cast<const unsigned char*>(signing_input.data()),
                     signing_input.size()) != 1) {
    return R::failure("signing the APNs token failed");
  }
  std::vector<unsigned char> der(der_len);
  if (EVP_DigestSign(ctx.get(), der.data(), &der_len, reinterpret_cast<const unsigned char*>(signing_input.data()),
                     signing_input.size()) != 1) {
    return R::failure("signing the APNs token failed");
  }
  // A JWT's ES256 signature is r || s, 32 bytes each, not OpenSSL's DER.
  const unsigned char* p = der.data();
  std::unique_ptr<ECDSA_SIG, void (*)(ECDSA_SIG*)> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)),
                                                        ECDSA_SIG_free);
  if (!sig) return R::failure("signing the APNs token failed");
  unsigned char raw[64];
  const BIGNUM *r = nullptr, *s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  if (BN_bn2binpad(r, raw, 32) != 32 || BN_bn2binpad(s, raw + 32, 32) != 32) {
    return R::failure("signing the APNs token failed");
  }
  token_ = signing_input + "." + base64url(std::string_view(reinterpret_cast<const char*>(raw), 64));
  issued_s_ = now_s;
  return token_;
}

}  // namespace alert

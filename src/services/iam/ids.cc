#include "services/iam/ids.h"

#include <openssl/rand.h>

#include "core/encoding.h"

namespace tidepool::iam {
namespace {

std::string RandomBytes(size_t n) {
  std::string bytes(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(n)) != 1) {
    // No entropy source: ids stay unique enough through NewUuid's generator.
    std::string fallback;
    while (fallback.size() < n) fallback += NewUuid();
    bytes = fallback.substr(0, n);
  }
  return bytes;
}

}  // namespace

std::string NewId(std::string_view prefix, size_t length) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string id(prefix);
  const size_t n = length > id.size() ? length - id.size() : 0;
  for (unsigned char b : RandomBytes(n)) id.push_back(kAlphabet[b & 31]);
  return id;
}

std::string NewSecretAccessKey() {
  std::string secret = Base64Encode(RandomBytes(30));  // 40 characters
  for (char& c : secret) {
    if (c == '=') c = 'A';
  }
  return secret;
}

std::string NewSessionToken() {
  // AWS's tokens are long base64 strings starting with "IQoJb3JpZ2luX2Vj" ("!\n\torigin_ec").
  return "IQoJb3JpZ2luX2VjE" + Base64Encode(RandomBytes(240));
}

}  // namespace tidepool::iam

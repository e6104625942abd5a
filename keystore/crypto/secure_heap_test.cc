#include "keystore/crypto/secure_heap.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "dnssec/algorithm.h"
#include "gtest/gtest.h"
#include "keystore/crypto/private_key.h"
#include "keystore/crypto/secret_bytes.h"

namespace zonekeep {
namespace keystore {
namespace {

TEST(SecureHeapTest, SecretsAndPrivateKeysLiveInTheSecureHeap) {
  absl::StatusOr<SecureHeap> heap = InitSecureHeap();
  ASSERT_TRUE(heap.ok()) << heap.status();
  EXPECT_TRUE(CRYPTO_secure_malloc_initialized());
  EXPECT_EQ(*InitSecureHeap(), *heap);  // once

  SecretBytes secret(32, 0x5a);
  EXPECT_TRUE(CRYPTO_secure_allocated(secret.data()));

  for (dnssec::Algorithm algorithm :
       {dnssec::Algorithm::kEcdsaP256Sha256, dnssec::Algorithm::kEd25519,
        dnssec::Algorithm::kRsaSha256}) {
    const size_t before = CRYPTO_secure_used();
    absl::StatusOr<PrivateKey> key = PrivateKey::Generate(
        algorithm,
        *dnssec::ResolveKeyBits(algorithm, dnssec::IsRsa(algorithm)
                                               ? std::optional<int>(2048)
                                               : std::nullopt));
    ASSERT_TRUE(key.ok()) << key.status();
    EXPECT_GT(CRYPTO_secure_used(), before)
        << dnssec::AlgorithmName(algorithm)
        << ": a generated key holds nothing in the secure heap";
    absl::StatusOr<SecretBytes> der = key->ExportPkcs8ForSealing();
    ASSERT_TRUE(der.ok());
    EXPECT_TRUE(CRYPTO_secure_allocated(der->data()));
    const size_t before_decode = CRYPTO_secure_used();
    absl::StatusOr<PrivateKey> decoded = PrivateKey::FromPkcs8(algorithm, *der);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_GT(CRYPTO_secure_used(), before_decode)
        << dnssec::AlgorithmName(algorithm)
        << ": a decoded key holds nothing in the secure heap";
  }
}

}  // namespace
}  // namespace keystore
}  // namespace zonekeep

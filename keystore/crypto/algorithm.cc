#include "keystore/crypto/algorithm.h"
namespace zonekeep {
}  // namespace zonekeep

// RR type mnemonics as every reader reads them: the one place the signer
// turns a type number into text (output, messages).
// Thread-safety: pure function.
#ifndef ZONEKEEP_SIGNER_TYPE_NAME_H_
#define ZONEKEEP_SIGNER_TYPE_NAME_H_

#include <cstdint>
#include <string>

namespace zonekeep {
namespace signer {

// The type mnemonic ("A", "NSEC3") when BIND, Knot and ldns all know it,
// else "TYPE<n>" (NULL is "TYPE10").
std::string TypeName(uint16_t type);

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_TYPE_NAME_H_

// Presentation forms for RDATA that BIND (named-compilezone), Knot
// (kzonecheck, libzscanner) and ldns all read back to the same bytes. The
// forms were measured with those three readers (/tmp/research/zscanner.md
// section 4 and signer/zone_text_writer_test.cc):
//  - character-strings are quoted, with `\"` and `\\`, and `\DDD` for every
//    octet outside 0x20-0x7e (a space stays a space inside the quotes);
//  - names escape `. \ " ( ) ; @ $` with a backslash and other octets outside
//    0x21-0x7e as `\DDD` (dnssec::AppendNameText);
//  - the RFC 3597 generic form `\# LEN HEX` wherever the readers disagree on
//    a presentation form: empty RDATA, NULL, SVCB/HTTPS with a key above 6
//    or an alpn id holding `,`, `\`, `"` or an octet outside 0x21-0x7e, and
//    types one of the readers does not know by mnemonic (TypeName then says
//    `TYPE<n>`).
// Thread-safety: pure functions.
#ifndef ZONEKEEP_SIGNER_RDATA_TEXT_H_
#define ZONEKEEP_SIGNER_RDATA_TEXT_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace zonekeep {
namespace signer {

// True when BIND 9.18, Knot 3.2 and ldns 1.8.3 all read `type`'s mnemonic.
bool HasPortableMnemonic(uint16_t type);

// `"..."` for the octets of one character-string (no length octet).
void AppendQuotedText(absl::string_view octets, std::string* out);

// `\# LEN HEX` (`\# 0` when empty).
void AppendGenericRdata(absl::string_view rdata, std::string* out);

// SVCB/HTTPS: `PRIORITY TARGET key=value...` when every reader reads that
// form alike, else the generic form.
void AppendSvcbRdata(absl::string_view rdata, std::string* out);

// CAA: `FLAGS TAG "VALUE"` (the value quoted, even when empty); the generic
// form when the tag is not 1-15 letters and digits or the RDATA is short.
void AppendCaaRdata(absl::string_view rdata, std::string* out);

// TXT/SPF: each character-string quoted; false when the RDATA is malformed.
bool AppendTxtRdata(absl::string_view rdata, std::string* out);

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_RDATA_TEXT_H_

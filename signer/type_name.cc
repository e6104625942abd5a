#include "signer/type_name.h"

#include "absl/strings/str_cat.h"
#include "dnssec/ldns_ptr.h"
#include "signer/rdata_text.h"

namespace zonekeep {
namespace signer {

std::string TypeName(uint16_t type) {
  const ldns_rr_descriptor* d =
      ldns_rr_descript(static_cast<ldns_rr_type>(type));
  if (d != nullptr && d->_name != nullptr &&
      d->_type == static_cast<ldns_rr_type>(type) &&
      HasPortableMnemonic(type)) {
    return d->_name;
  }
  return absl::StrCat("TYPE", type);
}

}  // namespace signer
}  // namespace zonekeep

// Includes ldns safely from C++ and owns its objects with unique_ptrs: the one
// set of ldns deleters in zonekeep.
//
// ldns/common.h #defines bool, true and false unless stdbool.h came first,
// which breaks C++ headers included later (GoogleTest's among them). Include
// this header instead of <ldns/ldns.h>. Thread-safety: like the wrapped
// objects.
#ifndef ZONEKEEP_DNSSEC_LDNS_PTR_H_
#define ZONEKEEP_DNSSEC_LDNS_PTR_H_

// clang-format off
#include <stdbool.h>
#include <ldns/ldns.h>
// clang-format on

#include <cstdlib>
#include <memory>

namespace zonekeep {
namespace dnssec {

struct LdnsRdfDeleter {
  void operator()(ldns_rdf* rdf) const { ldns_rdf_deep_free(rdf); }
};
using LdnsRdfPtr = std::unique_ptr<ldns_rdf, LdnsRdfDeleter>;

struct LdnsRrDeleter {
  void operator()(ldns_rr* rr) const { ldns_rr_free(rr); }
};
using LdnsRrPtr = std::unique_ptr<ldns_rr, LdnsRrDeleter>;

struct LdnsRrListDeleter {
  void operator()(ldns_rr_list* list) const { ldns_rr_list_deep_free(list); }
};
using LdnsRrListPtr = std::unique_ptr<ldns_rr_list, LdnsRrListDeleter>;

struct LdnsBufferDeleter {
  void operator()(ldns_buffer* buffer) const { ldns_buffer_free(buffer); }
};
using LdnsBufferPtr = std::unique_ptr<ldns_buffer, LdnsBufferDeleter>;

// For strings ldns allocates with malloc (ldns_rdf2str and friends).
struct LdnsFreeDeleter {
  void operator()(char* p) const { std::free(p); }
};
using LdnsStringPtr = std::unique_ptr<char, LdnsFreeDeleter>;

}  // namespace dnssec
}  // namespace zonekeep

#endif  // ZONEKEEP_DNSSEC_LDNS_PTR_H_

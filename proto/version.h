// The one version of zonekeep that every binary prints for --version
// (keystored, maintkeydb, dnssigner): change it here only.
// Thread-safety: a constant.
#ifndef ZONEKEEP_PROTO_VERSION_H_
#define ZONEKEEP_PROTO_VERSION_H_

namespace zonekeep {

inline constexpr char kVersion[] = "0.13.0";

}  // namespace zonekeep

#endif  // ZONEKEEP_PROTO_VERSION_H_

"""cc_grpc_proto: protoc + grpc_cpp_plugin from Debian, no @com_google_protobuf."""

def cc_grpc_proto(name, src, deps = []):
    """Generates C++ message and gRPC stubs for one .proto and wraps them.

    Includes read "proto/x.pb.h" and "proto/x.grpc.pb.h".
    """
    base = src[:-len(".proto")]
    pkg = native.package_name()
    outs = [base + ".pb.h", base + ".pb.cc", base + ".grpc.pb.h", base + ".grpc.pb.cc"]
    native.genrule(
        name = name + "_gen",
        srcs = [src] + [d + "_src" for d in deps],
        outs = outs,
        cmd = ("protoc -I. --cpp_out=$(GENDIR) --grpc_out=$(GENDIR) " +
               "--plugin=protoc-gen-grpc=$$(which grpc_cpp_plugin) " +
               pkg + "/" + src),
    )
    native.filegroup(name = name + "_src", srcs = [src])
    native.cc_library(
        name = name,
        srcs = [base + ".pb.cc", base + ".grpc.pb.cc"],
        hdrs = [base + ".pb.h", base + ".grpc.pb.h"],
        deps = deps + ["//tools:grpc", "//tools:protobuf"],
    )

// The host CPU as LLVM sees it, set up once per process: one TargetMachine for the host's CPU
// name and features, given explicitly because a VM may hide features (AVX-512) from LLVM's
// default detection. The optimization pipeline the kernels get is chosen here too.
#pragma once

#include <llvm/IR/Module.h>
#include <llvm/Support/Error.h>
#include <llvm/Target/TargetMachine.h>

#include <mutex>
#include <string>

namespace alert::jit {

struct NativeTarget {
  std::string triple;
  std::string cpu;
  std::string features;
  std::unique_ptr<llvm::TargetMachine> machine;
  std::mutex mutex;  // the TargetMachine is not safe to use from two threads at once

  // Null with a message in `error` when the host is not supported.
  static NativeTarget* get(std::string* error);
};

// Sets the module's triple and data layout and runs a pipeline on it: for `hot` code the kernel
// pipeline (vectorizing), else a cheap one (O1, no vectorization).
void optimize_module(llvm::Module& module, NativeTarget& target, bool hot = true);

// The module name of cold code, which the machine-code step compiles at a lower level too.
constexpr const char* kColdModuleName = "alert_dispatch";

}  // namespace alert::jit

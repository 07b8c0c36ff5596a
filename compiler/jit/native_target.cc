#include "compiler/jit/native_target.h"

#include <llvm/ADT/StringExtras.h>
#include <llvm/ADT/StringMap.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/TargetParser/Host.h>

namespace alert::jit {

NativeTarget* NativeTarget::get(std::string* error) {
  static std::string init_error;
  static NativeTarget* target = [] () -> NativeTarget* {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
    auto* t = new NativeTarget;
    t->triple = llvm::sys::getProcessTriple();
    t->cpu = llvm::sys::getHostCPUName().str();
    llvm::StringMap<bool> host_features = llvm::sys::getHostCPUFeatures();
    // Gathers: on AMD's AVX-512 cores (znver5 here) LLVM's cost model vectorizes the string
    // loads of a kernel (offsets, then 8-byte words) as vpgather, which ran 1.7x slower than
    // scalar loads (bench/ (b): 145 -> 250 Mrows/s; (a) and (c) unchanged).
    std::vector<std::string> features{"+prefer-no-gather"};
    for (auto& f : host_features) {
      std::string feature(1, f.second ? '+' : '-');
      feature.append(f.first().data(), f.first().size());
      features.push_back(std::move(feature));
    }
    t->features = llvm::join(features, ",");
    std::string lookup_error;
    const llvm::Target* target = llvm::TargetRegistry::lookupTarget(t->triple, lookup_error);
    if (!target) {
      init_error = "no LLVM target for " + t->triple + ": " + lookup_error;
      delete t;
      return nullptr;
    }
    llvm::TargetOptions options;
    t->machine.reset(target->createTargetMachine(t->triple, t->cpu, t->features, options, llvm::Reloc::PIC_,
                                                 std::nullopt, llvm::CodeGenOptLevel::Aggressive, /*JIT=*/true));
    if (!t->machine) {
      init_error = "cannot create a target machine for " + t->cpu;
      delete t;
      return nullptr;
    }
    return t;
  }();
  if (!target && error) *error = init_error;
  return target;
}

void optimize_module(llvm::Module& module, NativeTarget& target, bool hot) {
  module.setTargetTriple(target.triple);
  module.setDataLayout(target.machine->createDataLayout());
  // Measured (issue 4): the stock O2 pipeline with loop interleaving and unrolling turned off
  // compiles several times faster and keeps nearly all of the kernels' speed; vectorization
  // stays on, since scalar kernels ran 4x slower. See docs/performance.md.
  llvm::PipelineTuningOptions tuning;
  tuning.LoopInterleaving = false;
  tuning.LoopUnrolling = false;
  tuning.LoopVectorization = hot;
  tuning.SLPVectorization = hot;
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder builder(target.machine.get(), tuning);
  builder.registerModuleAnalyses(mam);
  builder.registerCGSCCAnalyses(cgam);
  builder.registerFunctionAnalyses(fam);
  builder.registerLoopAnalyses(lam);
  builder.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager passes =
      builder.buildPerModuleDefaultPipeline(hot ? llvm::OptimizationLevel::O2 : llvm::OptimizationLevel::O1);
  passes.run(module, mam);
}

}  // namespace alert::jit

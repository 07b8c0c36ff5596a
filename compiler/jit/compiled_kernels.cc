// ORC LLJIT behind CompiledKernels: one JIT instance per compiled program (its code lives as long
// as the program), compiling in the calling thread with the process's one TargetMachine, and
// resolving only the helper symbols registered here: generated code cannot reach anything else
// in the process by accident.
#include "compiler/jit/compiled_kernels.h"

#include <llvm/ExecutionEngine/Orc/CompileUtils.h>
#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/Support/raw_ostream.h>

#include <chrono>

#include "compiler/codegen/row_kernel_codegen.h"
#include "compiler/jit/native_target.h"
#include "stdlib/jit_helpers.h"

namespace alert {
namespace {

std::string message_of(llvm::Error error) { return llvm::toString(std::move(error)); }

struct BuiltModule {
  std::unique_ptr<llvm::LLVMContext> context;
  std::unique_ptr<llvm::Module> module;
  codegen::KernelSymbols kernels;
};

Result<BuiltModule> build_module(const plan::Program& program, jit::NativeTarget& target) {
  BuiltModule built;
  built.context = std::make_unique<llvm::LLVMContext>();
  built.module = std::make_unique<llvm::Module>("alert_kernels", *built.context);
  built.module->setTargetTriple(target.triple);
  built.module->setDataLayout(target.machine->createDataLayout());
  auto kernels = codegen::build_row_kernels(program, *built.module);
  if (!kernels) return Result<BuiltModule>::failure(message_of(kernels.takeError()));
  built.kernels = std::move(*kernels);
  return built;
}

// Compiles with the shared TargetMachine, under its lock.
class SharedTargetCompiler : public llvm::orc::IRCompileLayer::IRCompiler {
 public:
  explicit SharedTargetCompiler(jit::NativeTarget& target)
      : IRCompiler(llvm::orc::irManglingOptionsFromTargetOptions(target.machine->Options)), target_(target) {}
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> operator()(llvm::Module& module) override {
    std::lock_guard<std::mutex> lock(target_.mutex);
    return llvm::orc::SimpleCompiler(*target_.machine)(module);
  }

 private:
  jit::NativeTarget& target_;
};

}  // namespace

struct CompiledKernels::Impl {
  std::unique_ptr<llvm::orc::LLJIT> jit;
  std::vector<AlertRowFilterFn> row_filters;  // per schema
  std::vector<AlertDispatchFn> dispatchers;   // per rule (row rules only)
  double seconds = 0;
};

CompiledKernels::CompiledKernels(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CompiledKernels::~CompiledKernels() = default;

AlertRowFilterFn CompiledKernels::row_filter(int schema) const {
  return schema >= 0 && static_cast<size_t>(schema) < impl_->row_filters.size() ? impl_->row_filters[schema] : nullptr;
}

AlertDispatchFn CompiledKernels::dispatcher(int rule) const {
  return rule >= 0 && static_cast<size_t>(rule) < impl_->dispatchers.size() ? impl_->dispatchers[rule] : nullptr;
}

double CompiledKernels::compile_seconds() const { return impl_->seconds; }

Result<std::unique_ptr<CompiledKernels>> CompiledKernels::compile(const plan::Program& program) {
  using R = Result<std::unique_ptr<CompiledKernels>>;
  auto started = std::chrono::steady_clock::now();
  std::string error;
  jit::NativeTarget* target = jit::NativeTarget::get(&error);
  if (!target) return R::failure(error);
  auto built = build_module(program, *target);
  if (!built.ok()) return R::failure(built.error());
  BuiltModule module = built.take();
  {
    std::lock_guard<std::mutex> lock(target->mutex);
    jit::optimize_module(*module.module, *target);
  }

  llvm::orc::JITTargetMachineBuilder machine_builder{llvm::Triple(target->triple)};
  machine_builder.setCPU(target->cpu);
  machine_builder.addFeatures({target->features});
  auto jit = llvm::orc::LLJITBuilder()
                 .setJITTargetMachineBuilder(std::move(machine_builder))
                 .setLinkProcessSymbolsByDefault(false)
                 .setPlatformSetUp(llvm::orc::setUpInactivePlatform)
                 .setNumCompileThreads(0)
                 .setCompileFunctionCreator([target](llvm::orc::JITTargetMachineBuilder)
                                                -> llvm::Expected<std::unique_ptr<llvm::orc::IRCompileLayer::IRCompiler>> {
                   return std::make_unique<SharedTargetCompiler>(*target);
                 })
                 .create();
  if (!jit) return R::failure("cannot start the JIT: " + message_of(jit.takeError()));
  auto impl = std::make_unique<Impl>();
  impl->jit = std::move(*jit);

  llvm::orc::SymbolMap helpers;
  for (const HelperSymbol& h : jit_helper_symbols()) {
    helpers[impl->jit->mangleAndIntern(h.name)] = {llvm::orc::ExecutorAddr::fromPtr(h.address),
                                                    llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable};
  }
  if (auto err = impl->jit->getMainJITDylib().define(llvm::orc::absoluteSymbols(std::move(helpers)))) {
    return R::failure("cannot register the runtime helpers: " + message_of(std::move(err)));
  }
  if (auto err = impl->jit->addIRModule(llvm::orc::ThreadSafeModule(std::move(module.module), std::move(module.context)))) {
    return R::failure("cannot add the kernels: " + message_of(std::move(err)));
  }
  auto lookup = [&](const std::string& symbol) -> Result<void*> {
    auto address = impl->jit->lookup(symbol);
    if (!address) return Result<void*>::failure("cannot compile kernel " + symbol + ": " + message_of(address.takeError()));
    return address->toPtr<void*>();
  };
  impl->row_filters.assign(program.schemas.size(), nullptr);
  for (const auto& [schema, symbol] : module.kernels.row_filters) {
    auto address = lookup(symbol);
    if (!address.ok()) return R::failure(address.error());
    impl->row_filters[schema] = reinterpret_cast<AlertRowFilterFn>(address.value());
  }
  impl->dispatchers.assign(program.rules.size(), nullptr);
  for (const auto& [rule, symbol] : module.kernels.dispatchers) {
    auto address = lookup(symbol);
    if (!address.ok()) return R::failure(address.error());
    impl->dispatchers[rule] = reinterpret_cast<AlertDispatchFn>(address.value());
  }
  impl->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return std::unique_ptr<CompiledKernels>(new CompiledKernels(std::move(impl)));
}

Result<std::string> emit_kernels(const plan::Program& program, EmitKind kind) {
  std::string error;
  jit::NativeTarget* target = jit::NativeTarget::get(&error);
  if (!target) return Result<std::string>::failure(error);
  auto built = build_module(program, *target);
  if (!built.ok()) return Result<std::string>::failure(built.error());
  BuiltModule module = built.take();
  std::string text;
  llvm::raw_string_ostream os(text);
  std::lock_guard<std::mutex> lock(target->mutex);
  if (kind == EmitKind::Ir) {
    module.module->print(os, nullptr);
    return os.str();
  }
  jit::optimize_module(*module.module, *target);
  if (kind == EmitKind::OptIr) {
    module.module->print(os, nullptr);
    return os.str();
  }
  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream out(buffer);
  llvm::legacy::PassManager passes;
  auto file_type = kind == EmitKind::Asm ? llvm::CodeGenFileType::AssemblyFile : llvm::CodeGenFileType::ObjectFile;
  if (target->machine->addPassesToEmitFile(passes, out, nullptr, file_type)) {
    return Result<std::string>::failure("the target cannot emit this file type");
  }
  passes.run(*module.module);
  return std::string(buffer.begin(), buffer.end());
}

std::string jit_target_description() {
  std::string error;
  jit::NativeTarget* target = jit::NativeTarget::get(&error);
  if (!target) return "unavailable: " + error;
  return target->triple + " " + target->cpu;
}

}  // namespace alert

// ORC LLJIT behind compile_kernels: one JIT instance per compiled program (its code lives as long
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
#include <iostream>
#include <mutex>

#include "compiler/codegen/row_kernel_codegen.h"
#include "compiler/codegen/window_kernel_codegen.h"
#include "compiler/jit/native_target.h"
#include "stdlib/jit_helpers.h"

namespace alert {
namespace {

std::string message_of(llvm::Error error) { return llvm::toString(std::move(error)); }

// An empty module for the host target.
std::unique_ptr<llvm::Module> new_module(const char* name, llvm::LLVMContext& context, jit::NativeTarget& target) {
  auto module = std::make_unique<llvm::Module>(name, context);
  module->setTargetTriple(target.triple);
  module->setDataLayout(target.machine->createDataLayout());
  return module;
}

// The code that runs for every row (row filters, window values functions) or every group of a
// closing window (close functions), not yet optimized.
struct FilterModule {
  std::unique_ptr<llvm::LLVMContext> context = std::make_unique<llvm::LLVMContext>();
  std::unique_ptr<llvm::Module> module;
  std::vector<std::pair<int, std::string>> symbols;  // schema, symbol
  std::vector<std::pair<int, codegen::WindowKernelSymbols>> windows;  // rule, symbols
};

Result<FilterModule> build_filter_module(const plan::Program& program, jit::NativeTarget& target) {
  FilterModule built;
  built.module = new_module("alert_kernels", *built.context, target);
  auto symbols = codegen::build_row_filters(program, *built.module);
  if (!symbols) return Result<FilterModule>::failure(message_of(symbols.takeError()));
  built.symbols = std::move(*symbols);
  for (size_t r = 0; r < program.rules.size(); ++r) {
    if (!program.rules[r].is_window) continue;
    auto window = codegen::build_window_kernels(program, static_cast<int>(r), *built.module);
    if (!window) return Result<FilterModule>::failure(message_of(window.takeError()));
    built.windows.emplace_back(static_cast<int>(r), std::move(*window));
  }
  return built;
}

// Compiles with the shared TargetMachine, under its lock.
class SharedTargetCompiler : public llvm::orc::IRCompileLayer::IRCompiler {
 public:
  explicit SharedTargetCompiler(jit::NativeTarget& target)
      : IRCompiler(llvm::orc::irManglingOptionsFromTargetOptions(target.machine->Options)), target_(target) {}
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> operator()(llvm::Module& module) override {
    std::lock_guard<std::mutex> lock(target_.mutex);
    bool cold = module.getName() == jit::kColdModuleName;
    target_.machine->setOptLevel(cold ? llvm::CodeGenOptLevel::Less : llvm::CodeGenOptLevel::Aggressive);
    auto object = llvm::orc::SimpleCompiler(*target_.machine)(module);
    target_.machine->setOptLevel(llvm::CodeGenOptLevel::Aggressive);
    return object;
  }

 private:
  jit::NativeTarget& target_;
};

}  // namespace

// What keeps a program's machine code alive, and compiles its dispatch functions on demand.
struct JitCode {
  std::unique_ptr<llvm::orc::LLJIT> jit;
  // Per rule, compiled on first use: a dispatch function runs only for the rows its rule
  // selects, so its compile time is better spent when the rule first fires than at load.
  std::mutex dispatch_mutex;
  std::vector<std::string> dispatch_symbols;
  std::vector<AlertDispatchFn> dispatchers;

  static AlertDispatchFn resolve_dispatch(const void* owner, int rule) {
    auto* code = const_cast<JitCode*>(static_cast<const JitCode*>(owner));
    if (rule < 0 || static_cast<size_t>(rule) >= code->dispatch_symbols.size()) return nullptr;
    std::lock_guard<std::mutex> lock(code->dispatch_mutex);
    AlertDispatchFn& fn = code->dispatchers[rule];
    if (!fn) {
      auto address = code->jit->lookup(code->dispatch_symbols[rule]);
      if (!address) {
        // A bug, not the user's: say so; the caller falls back to the interpreter for this rule.
        std::cerr << "alertc: internal error compiling " << code->dispatch_symbols[rule] << ": "
                  << message_of(address.takeError()) << '\n';
        return nullptr;
      }
      fn = address->toPtr<AlertDispatchFn>();
    }
    return fn;
  }
};

// An LLJIT that compiles in the calling thread with the process's one TargetMachine and
// resolves nothing from the process.
llvm::Expected<std::unique_ptr<llvm::orc::LLJIT>> make_jit(jit::NativeTarget* target) {
  llvm::orc::JITTargetMachineBuilder machine_builder{llvm::Triple(target->triple)};
  machine_builder.setCPU(target->cpu);
  machine_builder.addFeatures({target->features});
  return llvm::orc::LLJITBuilder()
                 .setJITTargetMachineBuilder(std::move(machine_builder))
                 .setLinkProcessSymbolsByDefault(false)
                 .setPlatformSetUp(llvm::orc::setUpInactivePlatform)
                 .setNumCompileThreads(0)
                 .setCompileFunctionCreator([target](llvm::orc::JITTargetMachineBuilder)
                                                -> llvm::Expected<std::unique_ptr<llvm::orc::IRCompileLayer::IRCompiler>> {
                   return std::make_unique<SharedTargetCompiler>(*target);
                 })
                 .create();
}

// Looks up the row filters and window kernels of `filters` and fills the table with them.
Result<bool> look_up_kernels(llvm::orc::LLJIT& jit, const plan::Program& program, const FilterModule& filters,
                             KernelTable& table) {
  using R = Result<bool>;
  table.row_filters.assign(program.schemas.size(), nullptr);
  for (const auto& [schema, symbol] : filters.symbols) {
    auto address = jit.lookup(symbol);
    if (!address) return R::failure("cannot compile kernel " + symbol + ": " + message_of(address.takeError()));
    table.row_filters[schema] = address->toPtr<AlertRowFilterFn>();
  }
  table.window_values.assign(program.rules.size(), nullptr);
  table.window_closes.assign(program.rules.size(), nullptr);
  table.window_updates.assign(program.rules.size(), nullptr);
  for (const auto& [rule, symbols] : filters.windows) {
    auto values = jit.lookup(symbols.values);
    if (!values) return R::failure("cannot compile kernel " + symbols.values + ": " + message_of(values.takeError()));
    table.window_values[rule] = values->toPtr<AlertWindowValuesFn>();
    auto close = jit.lookup(symbols.close);
    if (!close) return R::failure("cannot compile kernel " + symbols.close + ": " + message_of(close.takeError()));
    table.window_closes[rule] = close->toPtr<AlertWindowCloseFn>();
    auto update = jit.lookup(symbols.update);
    if (!update) return R::failure("cannot compile kernel " + symbols.update + ": " + message_of(update.takeError()));
    table.window_updates[rule] = update->toPtr<AlertWindowUpdateFn>();
  }
  return true;
}

Result<std::shared_ptr<const KernelTable>> compile_kernels(const plan::Program& program) {
  using R = Result<std::shared_ptr<const KernelTable>>;
  auto started = std::chrono::steady_clock::now();
  std::string error;
  jit::NativeTarget* target = jit::NativeTarget::get(&error);
  if (!target) return R::failure(error);
  auto built = build_filter_module(program, *target);
  if (!built.ok()) return R::failure(built.error());
  FilterModule filters = built.take();
  {
    std::lock_guard<std::mutex> lock(target->mutex);
    jit::optimize_module(*filters.module, *target);
  }

  auto jit = make_jit(target);
  if (!jit) return R::failure("cannot start the JIT: " + message_of(jit.takeError()));
  auto code = std::make_shared<JitCode>();
  auto table = std::make_shared<KernelTable>();
  JitCode* impl = code.get();
  impl->jit = std::move(*jit);
  // Dispatch modules are optimized when they are materialized, i.e. on first use.
  impl->jit->getIRTransformLayer().setTransform(
      [target](llvm::orc::ThreadSafeModule tsm,
               const llvm::orc::MaterializationResponsibility&) -> llvm::Expected<llvm::orc::ThreadSafeModule> {
        tsm.withModuleDo([&](llvm::Module& m) {
          if (m.getName() != jit::kColdModuleName) return;
          std::lock_guard<std::mutex> lock(target->mutex);
          jit::optimize_module(m, *target, /*hot=*/false);
        });
        return tsm;
      });

  llvm::orc::SymbolMap helpers;
  for (const HelperSymbol& h : jit_helper_symbols()) {
    helpers[impl->jit->mangleAndIntern(h.name)] = {llvm::orc::ExecutorAddr::fromPtr(h.address),
                                                    llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable};
  }
  if (auto err = impl->jit->getMainJITDylib().define(llvm::orc::absoluteSymbols(std::move(helpers)))) {
    return R::failure("cannot register the runtime helpers: " + message_of(std::move(err)));
  }
  if (auto err = impl->jit->addIRModule(llvm::orc::ThreadSafeModule(std::move(filters.module), std::move(filters.context)))) {
    return R::failure("cannot add the kernels: " + message_of(std::move(err)));
  }
  // One small module per rule's dispatch function, generated now (cheap), compiled on first use.
  llvm::orc::ThreadSafeContext cold_context(std::make_unique<llvm::LLVMContext>());
  for (size_t r = 0; r < program.rules.size(); ++r) {
    auto cold = new_module(jit::kColdModuleName, *cold_context.getContext(), *target);
    auto symbol = codegen::build_dispatch(program, static_cast<int>(r), *cold);
    if (!symbol) return R::failure(message_of(symbol.takeError()));
    impl->dispatch_symbols.push_back(*symbol);
    if (auto err = impl->jit->addIRModule(llvm::orc::ThreadSafeModule(std::move(cold), cold_context))) {
      return R::failure("cannot add a dispatch function: " + message_of(std::move(err)));
    }
  }
  impl->dispatchers.assign(program.rules.size(), nullptr);
  if (auto found = look_up_kernels(*impl->jit, program, filters, *table); !found.ok()) return R::failure(found.error());
  table->compile_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  table->resolve_dispatch = &JitCode::resolve_dispatch;
  table->code = std::move(code);
  return std::shared_ptr<const KernelTable>(std::move(table));
}

Result<std::string> emit_kernels(const plan::Program& program, EmitKind kind) {
  std::string error;
  jit::NativeTarget* target = jit::NativeTarget::get(&error);
  if (!target) return Result<std::string>::failure(error);
  auto built = build_filter_module(program, *target);
  if (!built.ok()) return Result<std::string>::failure(built.error());
  FilterModule module = built.take();
  std::string text;
  llvm::raw_string_ostream os(text);
  std::lock_guard<std::mutex> lock(target->mutex);
  // --emit shows the row filters and the window rules' values and close functions: the code that
  // runs for every row or group. The dispatch functions
  // (run per selected row) are compiled by the JIT when their rule first fires.
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

/**
 * The public API of the package's two entry points, read with the TypeScript compiler from the
 * source entry files: every exported name with its kind (class, function, const, interface, type).
 */
import { join } from "node:path";
import ts from "typescript";
import { PROJECT_ROOT } from "./stackConfig";

/** Package subpath → the source file `npm run build` compiles to its entry point. */
export const ENTRY_POINTS: Readonly<Record<string, string>> = {
    tailwart: join(PROJECT_ROOT, "components", "index.ts"),
    "tailwart/stalwart": join(PROJECT_ROOT, "components", "stalwart", "index.ts"),
};

export interface PublicExport {
    name: string;
    kind: "class" | "function" | "const" | "interface" | "type" | "namespace";
}

function kindOf(symbol: ts.Symbol): PublicExport["kind"] {
    const f = symbol.flags;
    if (f & ts.SymbolFlags.Class) return "class";
    if (f & ts.SymbolFlags.Function) return "function";
    if (f & ts.SymbolFlags.Variable) return "const";
    if (f & ts.SymbolFlags.Interface) return "interface";
    if (f & ts.SymbolFlags.TypeAlias) return "type";
    return "namespace";
}

/** Every export of each entry point, sorted by name. */
export function publicExports(): Record<string, PublicExport[]> {
    const program = ts.createProgram(Object.values(ENTRY_POINTS), {
        strict: true,
        skipLibCheck: true,
        noEmit: true,
        esModuleInterop: true,
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        types: ["node"],
    });
    const checker = program.getTypeChecker();
    return Object.fromEntries(
        Object.entries(ENTRY_POINTS).map(([subpath, file]) => {
            const module = checker.getSymbolAtLocation(program.getSourceFile(file)!)!;
            const exports = checker.getExportsOfModule(module).map((symbol) => {
                const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
                return { name: symbol.name, kind: kindOf(target) };
            });
            return [subpath, exports.sort((a, b) => a.name.localeCompare(b.name))];
        }),
    );
}

/** The runtime (value) names among `exports`: what `require(subpath)` must have. */
export const valueNames = (exports: PublicExport[]): string[] =>
    exports.filter((e) => e.kind === "class" || e.kind === "function" || e.kind === "const").map((e) => e.name);

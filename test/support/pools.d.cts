/** The test files under `<root>/test` (default: this project) that need a process of their own, root-relative. */
export declare function isolatedTestFiles(root?: string): string[];

/** The test files under `<root>/test` (default: this project) that install Pulumi mocks, root-relative. */
export declare function mockedTestFiles(root?: string): string[];

// A static export, served by the e2e tests from the stack's origin under /e2e/next.
export default { output: 'export', basePath: '/e2e/next', images: { unoptimized: true } };

// electron-builder afterPack hook: flips Electron fuses on the packaged binary before it is signed.
// Fuses are bits compiled into the Electron binary; turning these off removes ways to run the app's
// binary as a plain Node.js or to attach a debugger to it (see electronjs.org/docs/latest/tutorial/fuses).
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS hook, loaded by electron-builder */
const path = require('node:path');

/** The hardened fuse settings, by @electron/fuses FuseV1Options name. */
const FUSES = {
  RunAsNode: false,
  EnableCookieEncryption: true,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  // the window loads app://renderer/, never file://
  GrantFileProtocolExtraPrivileges: false,
  OnlyLoadAppFromAsar: true,
  // EnableEmbeddedAsarIntegrityValidation is left as Electron ships it: it needs integrity data
  // that must match the signed archive on every platform, and cannot be verified without one.
};

/** Path of the packaged Electron executable, as electron-builder names it per platform. */
function electronBinaryPath(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  const ext = { darwin: '.app', mas: '.app', win32: '.exe', linux: '' }[electronPlatformName] ?? '';
  const name = electronPlatformName === 'linux' ? packager.executableName : packager.appInfo.productFilename;
  return path.join(appOutDir, `${name}${ext}`);
}

async function afterPack(context) {
  let fuses;
  try {
    fuses = require('@electron/fuses');
  } catch {
    console.warn('  • @electron/fuses is not installed: Electron fuses left as shipped');
    return;
  }
  const config = { version: fuses.FuseVersion.V1, strictlyRequireAllFuses: false };
  for (const [name, value] of Object.entries(FUSES)) config[fuses.FuseV1Options[name]] = value;
  // on Apple silicon a modified binary must be re-signed ad hoc to launch at all
  config.resetAdHocDarwinSignature = context.electronPlatformName === 'darwin' && context.arch === 3; // Arch.arm64
  const binary = electronBinaryPath(context);
  await fuses.flipFuses(binary, config);
  console.log(`  • fuses flipped on ${binary}`);
}

module.exports = afterPack;
module.exports.default = afterPack;
module.exports.FUSES = FUSES;
module.exports.electronBinaryPath = electronBinaryPath;

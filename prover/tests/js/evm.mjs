// Compiles a zkcontrib verifier contract with solc-js, deploys it in @ethereumjs/evm (mainnet
// rules, noble-curves BN254 precompiles) and makes the calls it is given.
//
//   node evm.mjs <Contract.sol> <ContractName> <calls.json>
//
// calls.json: [{"name": "...", "data": "0x…"}]. Prints one JSON object:
//   {"solc": "...", "hardfork": "...", "selector": "b9c6ea87", "deploy_gas": n, "code_bytes": n,
//    "calls": [{"name", "returned": true|false|null, "reverted": bool, "gas": n, "tx_gas": n}]}
// `gas` is the execution gas of the call; `tx_gas` adds the intrinsic cost of a transaction
// carrying the calldata (21000 + 16 per non-zero and 4 per zero byte), what a submitter pays.
import { readFileSync } from "node:fs";
import solc from "solc";
import { createEVM } from "@ethereumjs/evm";
import { hexToBytes, bytesToHex } from "@ethereumjs/util";

const [solPath, name, callsPath] = process.argv.slice(2);
if (!callsPath) {
  console.error("usage: node evm.mjs <Contract.sol> <ContractName> <calls.json>");
  process.exit(2);
}

const input = {
  language: "Solidity",
  sources: { "Verifier.sol": { content: readFileSync(solPath, "utf8") } },
  settings: {
    optimizer: { enabled: true, runs: 200 },
    outputSelection: { "*": { "*": ["evm.bytecode.object", "evm.methodIdentifiers"] } },
  },
};
const out = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (out.errors ?? []).filter((e) => e.severity === "error");
if (errors.length > 0) {
  console.error(errors.map((e) => e.formattedMessage).join("\n"));
  process.exit(1);
}
const warnings = (out.errors ?? []).filter((e) => e.severity !== "error");
for (const w of warnings) console.error(w.formattedMessage);
const compiled = out.contracts["Verifier.sol"][name];
if (!compiled) {
  console.error(`no contract ${name} in ${solPath}`);
  process.exit(1);
}
const selectors = Object.entries(compiled.evm.methodIdentifiers);

const evm = await createEVM();
const gasLimit = 30_000_000n;
const deploy = await evm.runCall({ data: hexToBytes("0x" + compiled.evm.bytecode.object), gasLimit });
if (deploy.execResult.exceptionError || !deploy.createdAddress) {
  console.error("deployment failed:", deploy.execResult.exceptionError);
  process.exit(1);
}
const to = deploy.createdAddress;
const code = await evm.stateManager.getCode(to);

const intrinsic = (bytes) =>
  21000n + bytes.reduce((g, b) => g + (b === 0 ? 4n : 16n), 0n);

const calls = [];
for (const { name: callName, data } of JSON.parse(readFileSync(callsPath, "utf8"))) {
  // As in a transaction (EIP-2929): the precompiles and the called contract are warm.
  for (const addr of evm.precompiles.keys()) evm.journal.addAlwaysWarmAddress(addr);
  evm.journal.addAlwaysWarmAddress(to.toString());
  const bytes = hexToBytes(data);
  const r = await evm.runCall({ to, data: bytes, gasLimit });
  const reverted = r.execResult.exceptionError !== undefined;
  const ret = r.execResult.returnValue;
  let returned = null;
  if (!reverted && ret.length === 32) {
    const v = BigInt(bytesToHex(ret));
    returned = v === 1n ? true : v === 0n ? false : null;
  }
  calls.push({
    name: callName,
    returned,
    reverted,
    gas: Number(r.execResult.executionGasUsed),
    tx_gas: Number(r.execResult.executionGasUsed + intrinsic(bytes)),
  });
}

console.log(
  JSON.stringify({
    solc: solc.version(),
    hardfork: evm.common.hardfork(),
    methods: Object.fromEntries(selectors),
    deploy_gas: Number(deploy.execResult.executionGasUsed),
    code_bytes: code.length,
    calls,
  }),
);

// How tokenized numbers are stored, for whoever must open them (escrow's gateway step for
// cards, ach-batcher for account numbers):
//
//   CardTokenized.sealedNumber =
//     base64(envelope.seal(digits, cardNumberAad(tenantId, cardId)))
//   BankAccountTokenized.sealedAccountNumber =
//     base64(envelope.seal(digits, bankAccountNumberAad(tenantId, bankAccountId)))
//
// i.e. the envelope's sealed format (packages/keys/src/envelope.ts: version, key id, wrapped
// data key, IV, AES-256-GCM ciphertext, tag) in standard base64, with the GCM associated data
// binding the ciphertext to its tenant and token: a sealed number copied onto another tenant's
// or another card's event does not open. Open with
// `envelope.open(Buffer.from(sealed, 'base64'), sameAad)`; the digits come back without the
// spaces or dashes the caller may have typed. The card AAD matches escrow's `cardAad`
// (services/escrow/src/processor/processor.ts); keep the two identical.

export const cardNumberAad = (tenantId: string, cardId: string): string =>
  `paystream:card:v1:${tenantId}:${cardId}`;

export const bankAccountNumberAad = (tenantId: string, bankAccountId: string): string =>
  `paystream:bank-account:v1:${tenantId}:${bankAccountId}`;

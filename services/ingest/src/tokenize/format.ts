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
// spaces or dashes the caller may have typed.
// The AADs are defined once, in @paystream/keys (aad.ts).

export { bankAccountAad as bankAccountNumberAad, cardAad as cardNumberAad } from '@paystream/keys';

// The associated data each kind of sealed secret is bound to. AES-GCM refuses to open a
// ciphertext under any other AAD, so a sealed number copied onto another tenant's or another
// token's record does not open. One definition for every service that seals or opens.

export const cardAad = (tenantId: string, cardId: string): string =>
  `paystream:card:v1:${tenantId}:${cardId}`;

export const bankAccountAad = (tenantId: string, bankAccountId: string): string =>
  `paystream:bank-account:v1:${tenantId}:${bankAccountId}`;

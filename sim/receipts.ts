/**
 * What every sandbox receipt (payroll and contractor payment alike) says about terms and licensee:
 * the fields Gusto's receipts carry, worded so no one mistakes a sandbox receipt for a real one.
 */
export const RECEIPT_TERMS = {
  license: 'Sandbox receipt: no money was moved.',
  license_uri: 'https://gusto.com/about/licenses',
  right_to_refund: 'Sandbox receipt: refund rights are described in the live receipt.',
  liability_of_licensee: 'Sandbox receipt: licensee liability is described in the live receipt.',
} as const;

export const RECEIPT_LICENSEE = {
  name: 'Gusto',
  address: '525 20th St',
  city: 'San Francisco',
  state: 'CA',
  postal_code: '94107',
  phone_number: '4157778888',
} as const;

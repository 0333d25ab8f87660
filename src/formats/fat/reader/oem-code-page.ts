// Short names and labels are stored in an "OEM code page" the FAT specification leaves open. Code page
// 437 is what Linux's vfat driver assumes by default; mtools' default 850 agrees with it for the accented
// letters people use in names (0x80–0x9A, 0xA0–0xA5, ß at 0xE1).

// Bytes 0x80 to 0xFF of code page 437, in order.
const highHalf =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀' +
  'αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

/** The bytes as code page 437 text; bytes below 0x80 are ASCII. */
export function decodeOemText(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += byte < 0x80 ? String.fromCharCode(byte) : (highHalf[byte - 0x80] ?? '?');
  return text;
}

// The mkisofs packer: genisoimage's flags under the program's old name, for systems that only have that.
import { createGenisoimageStylePacker } from './genisoimage-packer.js';

export const mkisofsPacker = createGenisoimageStylePacker('mkisofs');

export { HaStack, type HaStackEffect, type HaStackInput, type HaStackOptions } from './ha-stack.js';

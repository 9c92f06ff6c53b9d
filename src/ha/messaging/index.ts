export { decodeChannelMessage, encodeChannelMessage, type ChannelMessage } from './channel-message.js';
export {
  DEFAULT_CHANNEL_CONFIG,
  ReliableChannel,
  type ChannelEffect,
  type ChannelInput,
  type ChannelPeerStatus,
  type ReliableChannelConfig,
} from './reliable-channel.js';

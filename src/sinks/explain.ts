/** The SDK log-line recognisers live with the diagnosis (they are its knowledge); re-exported for the sinks. */
export { RECOGNISER_NAMES, type Recognition, recognise } from '../diagnosis/log-lines';

/** @module Runs the Instance conformance suite on the host instance. */
import { HostInstance } from './host-instance.ts';
import { runInstanceConformance } from '../common.case.test.ts';

runInstanceConformance({
  name: 'host',
  newInstance: async () => new HostInstance(),
  skip: [
    {
      reason: 'the host instance refuses to reboot the machine Ingot runs on',
      tests: ['reboot ends processes and keeps files'],
    },
  ],
});

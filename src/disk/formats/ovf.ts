/**
 * @module The OVF 1.0 descriptor of an OVA (DMTF DSP0243 1.0, the version every VMware product
 * imports): References (the VMDK files), DiskSection, NetworkSection and one VirtualSystem whose
 * VirtualHardwareSection has the build's vCPUs and memory, a paravirtual SCSI controller with the
 * disks, a VMXNET3 NIC, and the firmware (`efi`/`bios`) as VMware's `firmware` extra config.
 * RASD elements are in the schema's (alphabetical) order, as the CIM schema requires.
 */

export interface OvfDisk {
  /** File name inside the OVA. */
  href: string;
  fileSize: number;
  capacityBytes: number;
}

export interface OvfSpec {
  name: string;
  cpus: number;
  memoryMiB: number;
  firmware: 'efi' | 'bios';
  disks: readonly OvfDisk[];
}

export const OVF_NS = 'http://schemas.dmtf.org/ovf/envelope/1';
export const RASD_NS = 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData';
export const VSSD_NS = 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData';
export const VMW_NS = 'http://www.vmware.com/schema/ovf';
export const STREAM_OPTIMIZED_URI = 'http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized';
/** The network the NIC connects to; vSphere asks the user to map it at import. */
export const NETWORK = 'VM Network';

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** One RASD Item; `fields` must be given in the schema's order. */
function item(fields: [string, string | number][]): string {
  return `      <Item>\n${fields.map(([k, v]) => `        <rasd:${k}>${esc(String(v))}</rasd:${k}>\n`).join('')}      </Item>\n`;
}

export function ovfDescriptor(spec: OvfSpec): string {
  const name = esc(spec.name);
  const files = spec.disks
    .map((d, i) => `    <File ovf:href="${esc(d.href)}" ovf:id="file${i + 1}" ovf:size="${d.fileSize}"/>\n`)
    .join('');
  const disks = spec.disks
    .map(
      (d, i) =>
        `    <Disk ovf:capacity="${d.capacityBytes}" ovf:capacityAllocationUnits="byte" ovf:diskId="vmdisk${i + 1}" ovf:fileRef="file${i + 1}" ovf:format="${STREAM_OPTIMIZED_URI}"/>\n`,
    )
    .join('');
  const scsiId = 3;
  const items = [
    item([
      ['AllocationUnits', 'hertz * 10^6'],
      ['Description', 'Number of Virtual CPUs'],
      ['ElementName', `${spec.cpus} virtual CPU(s)`],
      ['InstanceID', 1],
      ['ResourceType', 3],
      ['VirtualQuantity', spec.cpus],
    ]),
    item([
      ['AllocationUnits', 'byte * 2^20'],
      ['Description', 'Memory Size'],
      ['ElementName', `${spec.memoryMiB}MB of memory`],
      ['InstanceID', 2],
      ['ResourceType', 4],
      ['VirtualQuantity', spec.memoryMiB],
    ]),
    item([
      ['Address', 0],
      ['Description', 'SCSI Controller'],
      ['ElementName', 'SCSI Controller 0'],
      ['InstanceID', scsiId],
      ['ResourceSubType', 'VirtualSCSI'],
      ['ResourceType', 6],
    ]),
    ...spec.disks.map((_, i) =>
      item([
        ['AddressOnParent', i],
        ['ElementName', `Hard Disk ${i + 1}`],
        ['HostResource', `ovf:/disk/vmdisk${i + 1}`],
        ['InstanceID', scsiId + 1 + i],
        ['Parent', scsiId],
        ['ResourceType', 17],
      ]),
    ),
    item([
      ['AddressOnParent', 7],
      ['AutomaticAllocation', 'true'],
      ['Connection', NETWORK],
      ['Description', `VmxNet3 ethernet adapter on "${NETWORK}"`],
      ['ElementName', 'Network adapter 1'],
      ['InstanceID', scsiId + 1 + spec.disks.length],
      ['ResourceSubType', 'VmxNet3'],
      ['ResourceType', 10],
    ]),
  ].join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="${OVF_NS}" xmlns:ovf="${OVF_NS}" xmlns:rasd="${RASD_NS}" xmlns:vssd="${VSSD_NS}" xmlns:vmw="${VMW_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <References>
${files}  </References>
  <DiskSection>
    <Info>Virtual disk information</Info>
${disks}  </DiskSection>
  <NetworkSection>
    <Info>The list of logical networks</Info>
    <Network ovf:name="${NETWORK}">
      <Description>The ${NETWORK} network</Description>
    </Network>
  </NetworkSection>
  <VirtualSystem ovf:id="${name}">
    <Info>A virtual machine built by Ingot</Info>
    <Name>${name}</Name>
    <OperatingSystemSection ovf:id="101" vmw:osType="otherLinux64Guest">
      <Info>The kind of installed guest operating system</Info>
      <Description>Linux (64-bit)</Description>
    </OperatingSystemSection>
    <VirtualHardwareSection>
      <Info>Virtual hardware requirements</Info>
      <System>
        <vssd:ElementName>Virtual Hardware Family</vssd:ElementName>
        <vssd:InstanceID>0</vssd:InstanceID>
        <vssd:VirtualSystemIdentifier>${name}</vssd:VirtualSystemIdentifier>
        <vssd:VirtualSystemType>vmx-14</vssd:VirtualSystemType>
      </System>
${items}      <vmw:Config ovf:required="false" vmw:key="firmware" vmw:value="${spec.firmware}"/>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
`;
}

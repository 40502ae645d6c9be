import { Type } from "typebox";
import { Timestamp } from "../http/common.schemas.js";

/**
 * Organizations and workspaces do not exist in Wacht yet, so every user's membership lists are
 * empty. The item shapes are the published client's, documented for when they arrive.
 */
const Role = Type.Object(
  {
    id: Type.String(),
    created_at: Timestamp,
    updated_at: Timestamp,
    name: Type.String(),
    permissions: Type.Array(Type.String()),
    is_deployment_level: Type.Boolean(),
  },
  { additionalProperties: false },
);
const Organization = Type.Object(
  {
    id: Type.String(),
    created_at: Timestamp,
    updated_at: Timestamp,
    name: Type.String(),
    description: Type.String(),
    image_url: Type.String(),
    member_count: Type.Integer(),
    public_metadata: Type.Object({}, { additionalProperties: true }),
    private_metadata: Type.Object({}, { additionalProperties: true }),
  },
  { additionalProperties: false },
);
const membershipFields = {
  id: Type.String(),
  created_at: Timestamp,
  updated_at: Timestamp,
  organization_id: Type.String(),
  user_id: Type.String(),
  public_metadata: Type.Object({}, { additionalProperties: true }),
};

export const UserOrganizationMembershipSchema = Type.Object(
  { ...membershipFields, roles: Type.Array(Role), organization: Organization },
  { additionalProperties: false },
);

export const UserWorkspaceMembershipSchema = Type.Object(
  { ...membershipFields, workspace_id: Type.String(), organization_membership_id: Type.String(), roles: Type.Array(Role), workspace: Organization },
  { additionalProperties: false },
);

const emptyListOf = (item: typeof UserOrganizationMembershipSchema | typeof UserWorkspaceMembershipSchema) =>
  Type.Object(
    { data: Type.Array(item, { maxItems: 0, description: "Always empty: there are no organizations or workspaces yet" }), has_more: Type.Boolean() },
    { additionalProperties: false },
  );

export const membershipListSchemas = {
  organization: emptyListOf(UserOrganizationMembershipSchema),
  workspace: emptyListOf(UserWorkspaceMembershipSchema),
};
